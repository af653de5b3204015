from odoo import models

GRANTED_GROUP = "training_student_archive.training_student_archive_group_granted"


class ResUsers(models.Model):
    _inherit = "res.users"

    def _sync_archive_granted_group(self):
        """Put the users holding an active archive access grant in the granted-reader
        group and take the others out (ARC-09): the group gives the read right, the
        record rules limit it to what the valid grants cover."""
        group = self.env.ref(GRANTED_GROUP).sudo()
        holders = (
            self.env["training.archive.access.grant"]
            .sudo()
            .search([("user_id", "in", self.ids)])
            .user_id
        )
        to_add = holders - group.users
        to_remove = (self - holders) & group.users
        if to_add or to_remove:
            group.write(
                {
                    "users": [(4, user.id) for user in to_add]
                    + [(3, user.id) for user in to_remove]
                }
            )
