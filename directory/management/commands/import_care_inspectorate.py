from directory.models import Regulator
from directory.registers.importers.command import RegisterImportCommand


class Command(RegisterImportCommand):
    help = "Import or re-sync the Care Inspectorate datastore CSV (every registered care service in Scotland)."
    regulator = Regulator.CARE_INSPECTORATE
