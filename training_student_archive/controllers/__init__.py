from . import portal
from . import read_log
from . import certificate
