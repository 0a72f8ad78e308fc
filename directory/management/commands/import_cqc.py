from directory.models import Regulator
from directory.registers.importers.command import RegisterImportCommand


class Command(RegisterImportCommand):
    help = "Import or re-sync the Care Quality Commission's care directory CSV (registered locations in England)."
    regulator = Regulator.CQC
