import functools

from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.osv import expression

# The approval flow's marker. Server code of the flow (``_validate_tier``,
# ``_rejected_tier``, ``request_validation``, ``restart_validation``, the records'
# own state changes) runs with this object as the value of FLOW_CONTEXT_KEY in the
# context, and the guards compare it by identity. A context key alone would not do:
# a JSON-RPC caller sets any context key it likes (``context`` in the kwargs of
# call_kw), but only JSON values (strings, numbers, lists, dicts): it can never
# pass this Python object, which lives in this module only.
FLOW_CONTEXT_KEY = "training_approval_flow"
_FLOW_TOKEN = object()

# Fields of a review only the flow writes: who approved what, when, in which order.
GUARDED_REVIEW_FIELDS = frozenset(
    (
        "status",
        "done_by",
        "reviewed_date",
        "sequence",
        "definition_id",
        "res_id",
        "model",
        "requested_by",
        "reviewer_ids",
        "can_review",
        "todo_by",
        "company_id",
    )
)


def flow_records(records):
    """``records`` in the approval flow: its guarded writes are allowed."""
    return records.with_context(**{FLOW_CONTEXT_KEY: _FLOW_TOKEN})


def in_flow(env):
    """Whether ``env`` was set up by the approval flow's server code."""
    return env.context.get(FLOW_CONTEXT_KEY) is _FLOW_TOKEN


class TierReview(models.Model):
    """Reviews of the models that opt in (``_tier_review_guarded``, set by
    ``training.tier.validation``) change only through their record's approve and
    reject flow: base_tier_validation lets every internal user create, write and
    delete reviews, which would let anyone forge an approval (X-03)."""

    _inherit = "tier.review"

    @api.model
    @tools.ormcache()
    def _guarded_models(self):
        return tuple(
            name
            for name in self.env.registry
            if getattr(self.env[name], "_tier_review_guarded", False)
            and not self.env[name]._abstract
        )

    @api.model
    def _readable_domain(self):
        """The reviews of the guarded models are read by who reads their record
        only: base_tier_validation lets every internal user read every review, and
        a reviewer's comment may say more than the record (X-03, ARC-11)."""
        domain = [("model", "not in", self._guarded_models())]
        Access = self.env["ir.model.access"]
        for name in self._guarded_models():
            if not Access.check(name, "read", raise_exception=False):
                continue
            records = self.env[name].with_context(active_test=False)._search([])
            domain = expression.OR(
                [domain, [("model", "=", name), ("res_id", "in", records)]]
            )
        return domain

    @api.model
    def _search(self, domain, *args, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain, self._readable_domain()])
        return super()._search(domain, *args, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or operation != "read" or not any(self._ids):
            return result
        forbidden = self - self.search([("id", "in", self.ids)])
        if forbidden:
            return forbidden, functools.partial(
                self.env["ir.rule"]._make_access_error, operation, forbidden
            )
        return None

    @api.model
    def _is_guarded_model(self, model_name):
        return bool(
            model_name
            and model_name in self.env
            and getattr(self.env[model_name], "_tier_review_guarded", False)
        )

    def _check_guarded_change(self, model_names=()):
        if in_flow(self.env):
            return
        names = set(model_names) | set(self.sudo().mapped("model"))
        guarded = [name for name in names if self._is_guarded_model(name)]
        if guarded:
            raise AccessError(
                self.env._(
                    "The approvals of %(documents)s are given with the Approve and "
                    "Reject buttons of the document, in order, by the reviewers of "
                    "each tier: a review cannot be created, changed or deleted "
                    "directly.",
                    documents=", ".join(
                        sorted(self.env[name]._description for name in guarded)
                    ),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        default_model = self.env.context.get("default_model")
        self._check_guarded_change(
            [vals.get("model") or default_model for vals in vals_list]
        )
        return super().create(vals_list)

    def write(self, vals):
        if GUARDED_REVIEW_FIELDS & vals.keys():
            self._check_guarded_change([vals.get("model")])
        return super().write(vals)

    def unlink(self):
        self._check_guarded_change()
        return super().unlink()

    def _compute_can_review(self):
        # Server code of the flow: it moves the next review from waiting to pending.
        return super(TierReview, flow_records(self))._compute_can_review()
