import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
application = get_wsgi_application()

# What the app has loaded lives as long as the worker: take it out of the garbage collector's
# generations, so that a full collection does not walk it again (about 45 ms, every thousand or
# so requests, in the middle of one of them) and workers forked with it share its memory.
gc.freeze()
