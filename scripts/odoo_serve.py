"""Start Odoo for ``make serve`` (``scripts/serve.sh``), as ``odoo-bin`` does.

In multi-worker mode Odoo starts its bus/websocket process as
``sys.executable sys.argv[0] gevent ...``; this file is that ``sys.argv[0]``.

gevent 22.10 (Odoo 18's pin) loads its monkey-patching plugins with ``pkg_resources``,
which checks gevent's requirements first. The ``pkg_resources`` of the virtualenv's
``setuptools<70`` (needed to build ``cbor2``) does not match a normalized ``dist-info``
name such as ``zope_interface-8.x.dist-info`` to the requirement ``zope.interface``, so
the gevent process dies with ``DistributionNotFound`` although the package is installed.
The check is skipped here, for this process only; nothing else is changed.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import pkg_resources

pkg_resources.EntryPoint.require = lambda self, env=None, installer=None: None

# After the patch: importing odoo patches gevent when this process is the gevent one.
import odoo

if __name__ == "__main__":
    odoo.cli.main()
