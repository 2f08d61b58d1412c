"""The installed distribution: its name, its one-source version, its wheel tag.

The import name is ``dualdiff``; the distribution is ``dualdiff-ad`` (the name
``dualdiff`` on PyPI belongs to an unrelated 2018 package).  These tests look
at the installed metadata, so they skip when ``dualdiff`` is imported from a
source tree or an editable install rather than from an installed wheel.
"""

import importlib.metadata as md
import os

import pytest

import dualdiff

DIST = "dualdiff-ad"


@pytest.fixture(scope="module")
def dist():
    """The installed distribution that the imported ``dualdiff`` comes from."""
    try:
        found = md.distribution(DIST)
    except md.PackageNotFoundError:
        pytest.skip(f"{DIST} is not installed: dualdiff is imported from {dualdiff.__file__}")
    init = [f for f in found.files or [] if str(f).replace("\\", "/") == "dualdiff/__init__.py"]
    if not init or not os.path.samefile(found.locate_file(init[0]), dualdiff.__file__):
        pytest.skip(f"dualdiff is imported from {dualdiff.__file__}, not from the installed {DIST}")
    return found


def test_the_version_has_one_source(dist):
    assert dist.version == dualdiff.__version__


def test_only_dualdiff_ad_provides_the_import_package(dist):
    providers = set(md.packages_distributions().get("dualdiff", []))
    assert providers == {DIST}, (
        f"`import dualdiff` is claimed by {sorted(providers)}: `pip uninstall dualdiff` "
        "removes the unrelated PyPI package of that name (and an install made before "
        f"the project was renamed {DIST}), then reinstall {DIST}")


def test_a_platform_wheel_has_the_extension_and_a_pure_one_has_not(dist):
    wheel = dist.read_text("WHEEL")
    if wheel is None:
        pytest.skip("not installed from a wheel")
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    core = [f for f in dist.files if str(f).replace("\\", "/").startswith("dualdiff/_core.")
            and f.suffix in (".so", ".pyd")]
    if core:
        assert tags and all(not t.endswith("-none-any") for t in tags), tags
    else:
        assert tags == ["py3-none-any"], f"a wheel without dualdiff._core is tagged {tags}"
