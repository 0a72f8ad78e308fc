from directory.importers.command import RegisterImportCommand
from directory.models import Regulator


class Command(RegisterImportCommand):
    help = "Import or re-sync the Care Inspectorate datastore CSV (every registered care service in Scotland)."
    regulator = Regulator.CARE_INSPECTORATE
