"""Every public method of `LbV1ZonedAPI` and of `LbV1API` is called by the LB SDK tests.

The test files run each call through a fixture parametrized over both classes (`KINDS`), so a
method name called in them is called on both; `set_acls` exists on the zoned class only. This
test reads the test files and fails on any SDK method none of them calls, so that a new method
of a future SDK cannot go untested.
"""

import inspect
import re
from pathlib import Path

from scaleway.lb.v1 import LbV1API, LbV1ZonedAPI

HERE = Path(__file__).resolve().parent
FILES = ["lb_support.py", "test_lb_lbs.py", "test_lb_config.py", "test_lb_private_networks.py"]


def public_methods(cls) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and member.__qualname__.startswith(cls.__name__ + ".")
    }


def called() -> set[str]:
    text = "\n".join((HERE / f).read_text() for f in FILES)
    return set(re.findall(r"\bapi\.([a-z_]+)\(", text)) | set(re.findall(r"error_of\(\s*api\.([a-z_]+)", text))


def test_every_method_of_both_classes_is_called():
    zoned, regional = public_methods(LbV1ZonedAPI), public_methods(LbV1API)
    # 54 endpoints + 11 pagers + 2 waiters; the regional class lacks set_acls.
    assert len(zoned) == 67 and len(regional) == 66
    assert zoned - regional == {"set_acls"}
    missing = (zoned | regional) - called()
    assert not missing, f"SDK methods no LB test calls: {sorted(missing)}"
