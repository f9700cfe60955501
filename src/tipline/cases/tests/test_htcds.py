"""Our HTCDS picklists are the standard's, value for value, and the reference copy is current."""

from __future__ import annotations

import pytest

from tipline.cases.htcds import PICKLISTS
from tipline.cases.tests.htcds_reference import SHARED_TSV, TSV, core_fields, htcds_fields


@pytest.mark.parametrize("name", sorted(PICKLISTS))
def test_each_picklist_has_exactly_the_standards_values_in_its_order(name: str) -> None:
    assert tuple(PICKLISTS[name].values) == htcds_fields()[name].values


def test_every_methods_of_control_value_is_a_choice() -> None:
    standard = htcds_fields()["vic_MethodsOfControl"].values
    assert len(standard) == 16 and set(PICKLISTS["vic_MethodsOfControl"].values) == set(standard)


def test_the_standard_marks_forty_fields_core() -> None:
    # The file holds "Core" 41 times: once is the header naming the column.
    assert len(core_fields()) == 40


def test_the_copy_in_cases_data_is_the_shared_reference() -> None:
    if not SHARED_TSV.exists():
        pytest.skip("no shared reference beside this checkout")
    assert TSV.read_bytes() == SHARED_TSV.read_bytes()
