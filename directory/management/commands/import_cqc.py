from directory.importers.command import RegisterImportCommand
from directory.models import Regulator


class Command(RegisterImportCommand):
    help = "Import or re-sync the Care Quality Commission's care directory CSV (registered locations in England)."
    regulator = Regulator.CQC
