from . import portal
from . import read_log
