"""The reconciliation's matching rules alone (services/reconciliation/matching.py),
on rows as our select gives them and RemoteInvoice as clients give them."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from addons.invoicing_link.services.reconciliation.matching import reconcile_rows
from connectors.erp.invoice_payloads import RemoteInvoice


def ours(id_, number, origin="crossdock", external_id=None, state="issued", total="113"):
    return SimpleNamespace(id=id_, number=number, origin=origin, state=state,
                           total=Decimal(total), tax=Decimal(13), residual=Decimal(total),
                           currency="CNY", places=2, external_id=external_id)


def theirs(external_id, reference="", state="posted", total="113.00", number=""):
    return RemoteInvoice(external_id, number or f"R{external_id}", "invoice", state, state,
                         "CNY", total=Decimal(total), total_tax=Decimal("13.00"),
                         residual=Decimal(0) if state == "cancelled" else Decimal(total),
                         reference=reference)


def kinds(result):
    return sorted((d.kind, d.reference) for d in result.differences)


def test_an_unbound_one_matches_by_our_number_and_a_cancelled_attempt_is_no_duplicate():
    result = reconcile_rows("b", [ours(1, "INV/1")], [
        [theirs("7", "INV/1", state="cancelled")], [theirs("8", "INV/1")]])
    assert (result.matched, kinds(result)) == (1, [])


def test_two_live_ones_with_our_number_are_a_duplicate_of_the_bound_pair():
    result = reconcile_rows("b", [ours(1, "INV/1", external_id="7")],
                            [[theirs("7", "INV/1"), theirs("8", "INV/1", total="50")]])
    duplicate, = result.differences
    assert (result.matched, duplicate.kind, duplicate.external_id, duplicate.also) == (
        1, "duplicate_reference", "7", ("8",))


def test_ours_twice_is_a_duplicate_only_within_one_origin():
    rows = [ours(1, "INV/2026/00001", "erp", "7"), ours(2, "INV/2026/00001", "erp", "8"),
            ours(3, "INV/2026/00001", "crossdock", "9")]
    result = reconcile_rows("b", rows, [[theirs("7"), theirs("8"), theirs("9")]])
    assert (result.matched, kinds(result)) == (3, [("duplicate_reference", "INV/2026/00001")])
    assert result.differences[0].also == ("#2",)


def test_a_cancelled_document_on_one_side_only_is_no_difference():
    result = reconcile_rows("b", [ours(1, "INV/1", state="cancelled")],
                            [[theirs("7", "", state="cancelled")]])
    assert (result.matched, kinds(result)) == (0, [])


def test_only_cancelled_ones_there_is_a_state_and_residual_difference():
    result = reconcile_rows("b", [ours(1, "INV/1")], [[theirs("7", "INV/1", state="cancelled")]])
    assert kinds(result) == [("amount_mismatch", "INV/1"), ("state_mismatch", "INV/1")]
    assert result.differences[0].amounts == ("residual",)


def test_a_sub_cent_difference_of_our_stored_four_decimals_is_none():
    row = ours(1, "INV/1", external_id="7", total="113.0040")
    assert reconcile_rows("b", [row], [[theirs("7", "INV/1")]]).matched == 1
