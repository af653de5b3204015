from odoo import models
from odoo.exceptions import UserError

from .tier_review import flow_records, in_flow


class TrainingTierValidation(models.AbstractModel):
    """Tier validation with protected reviews and segregation of duties (X-03).

    Models inheriting this mixin instead of ``tier.validation``:

    * have their ``tier.review`` records written only by the approval flow below
      (see ``tier_review.py``): approve and reject by a reviewer of the tier, in
      order, one review at a time;
    * get each approval from a different person, who is not one of the applicants
      of the record (:meth:`_get_tier_applicants`);
    * can verify the whole chain before carrying the decision out
      (:meth:`_check_approval_chain`), which refuses a forged chain.
    """

    _name = "training.tier.validation"
    _inherit = "tier.validation"
    _description = "Tier Validation with Protected Reviews"

    _tier_review_guarded = True

    # -- the flow marker ------------------------------------------------------------

    def _training_flow(self):
        """These records in the approval flow: the guarded writes are allowed."""
        return flow_records(self)

    def _in_training_flow(self):
        return in_flow(self.env)

    # -- rules --------------------------------------------------------------------

    def _get_tier_applicants(self):
        """Users who asked for the decision: none of them approves it. Override."""
        return self.env["res.users"]

    def _tier_next_review(self, tiers=False):
        """The one open review the current user may act on now, in order."""
        self.ensure_one()
        user = self.env.user
        sequences = self._get_sequences_to_approve(user)
        return (
            (tiers or self.review_ids)
            .filtered(
                lambda r: (
                    r.status in ("waiting", "pending")
                    and r.res_id == self.id
                    and r.model == self._name
                    and r.sequence in sequences
                    and user in r.sudo()._get_reviewers()
                )
            )
            .sorted("sequence")[:1]
        )

    def _tier_approved_by(self, user):
        """``user`` may not approve this record at all: an applicant, or already
        one of its approvers."""
        self.ensure_one()
        return user in self._get_tier_applicants() or user in (
            self.sudo().review_ids.filtered(lambda r: r.status == "approved").done_by
        )

    def _compute_can_review(self):
        # "To approve" lists (can_review is searched through this compute) show
        # only what the user may approve: not their own application, not a
        # record whose earlier tier they approved.
        # The reviewers of all the reviews at once: OCA's compute reads them record
        # by record (one query per record of a "to approve" list).
        self.review_ids.fetch(["reviewer_ids"])
        result = super()._compute_can_review()
        user = self.env.user
        for record in self.filtered("can_review"):
            record.can_review = not record._tier_approved_by(user)
        return result

    def _check_tier_approver(self, review):
        """Segregation of duties, checked before anything is written."""
        self.ensure_one()
        user = self.env.user
        if not review:
            raise UserError(
                self.env._(
                    "You cannot approve %s now: none of its open approvals is yours "
                    "to give.",
                    self.display_name,
                )
            )
        if user in self._get_tier_applicants():
            raise UserError(
                self.env._(
                    "%(user)s applied for %(record)s: an applicant cannot approve "
                    "their own application.",
                    user=user.name,
                    record=self.display_name,
                )
            )
        approved = self.review_ids.filtered(lambda r: r.status == "approved")
        mine = approved.filtered(lambda r: r.done_by == user)
        if mine:
            raise UserError(
                self.env._(
                    "%(user)s already approved %(record)s (%(tier)s): each approval "
                    "is given by a different person.",
                    user=user.name,
                    record=self.display_name,
                    tier=mine[0].name,
                )
            )

    def _check_approval_chain(self):
        """The whole chain, before the decision is carried out: at least one
        review, every one approved, in order, each by a different reviewer of its
        tier who is not an applicant. Refuses forged and self-approvals."""
        for record in self:
            reviews = record.sudo().review_ids.sorted("sequence")

            def refuse(reason, record=record):
                raise UserError(
                    self.env._(
                        "%(record)s cannot be carried out: %(reason)s",
                        record=record.display_name,
                        reason=reason,
                    )
                )

            if not reviews:
                refuse(self.env._("it has no approval."))
            applicants = record._get_tier_applicants()
            approvers = self.env["res.users"]
            last_date = False
            for review in reviews:
                if review.status != "approved" or not review.done_by:
                    refuse(self.env._("%s is not approved.", review.name))
                if not review.reviewed_date:
                    refuse(self.env._("%s has no approval date.", review.name))
                if review.done_by in approvers:
                    refuse(
                        self.env._(
                            "%s approved more than one tier: each approval is "
                            "given by a different person.",
                            review.done_by.name,
                        )
                    )
                if review.done_by in applicants:
                    refuse(
                        self.env._(
                            "%s applied for it and cannot approve it.",
                            review.done_by.name,
                        )
                    )
                if review.done_by not in review._get_reviewers():
                    refuse(
                        self.env._(
                            "%(user)s is not a reviewer of %(tier)s.",
                            user=review.done_by.name,
                            tier=review.name,
                        )
                    )
                if (
                    review.approve_sequence
                    and last_date
                    and review.reviewed_date < last_date
                ):
                    refuse(self.env._("%s was approved out of order.", review.name))
                approvers |= review.done_by
                last_date = review.reviewed_date
        return True

    # -- the flow -----------------------------------------------------------------

    def validate_tier(self):
        self.ensure_one()
        self._check_tier_approver(self._tier_next_review())
        return super().validate_tier()

    def reject_tier(self):
        self.ensure_one()
        if not self._tier_next_review():
            raise UserError(
                self.env._(
                    "You cannot reject %s: it is not your turn to review it.",
                    self.display_name,
                )
            )
        return super().reject_tier()

    def _validate_tier(self, tiers=False):
        """Approve one review: the next one of the current user, checked first."""
        self.ensure_one()
        review = self._tier_next_review(tiers)
        self._check_tier_approver(review)
        flow = self._training_flow()
        return super(TrainingTierValidation, flow)._validate_tier(
            review.with_env(flow.env)
        )

    def _rejected_tier(self, tiers=False):
        self.ensure_one()
        review = self._tier_next_review(tiers)
        if not review:
            raise UserError(
                self.env._(
                    "You cannot reject %s: it is not your turn to review it.",
                    self.display_name,
                )
            )
        flow = self._training_flow()
        return super(TrainingTierValidation, flow)._rejected_tier(
            review.with_env(flow.env)
        )

    def request_validation(self):
        flow = self._training_flow()
        reviews = super(TrainingTierValidation, flow).request_validation()
        return reviews.with_env(self.env)

    def restart_validation(self):
        return super(TrainingTierValidation, self._training_flow()).restart_validation()

    def _tier_validation_check_write_remove_reviews(self, vals):
        return super(
            TrainingTierValidation, self._training_flow()
        )._tier_validation_check_write_remove_reviews(vals)

    def _update_counter(self, review_counter):
        return super(TrainingTierValidation, self._training_flow())._update_counter(
            review_counter
        )

    def unlink(self):
        self._training_flow().sudo().review_ids.unlink()
        return super().unlink()
