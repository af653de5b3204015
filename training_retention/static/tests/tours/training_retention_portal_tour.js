import { registry } from "@web/core/registry";

/**
 * The student applies for a withdrawal from the portal (RET-02): from /my to the
 * application form, which shows the refund policy (RET-07), to the application sent
 * to the approval tiers. Runs on desktop and phone sizes (tests/test_portal.py), with
 * the data created there: an active enrolment of "Li Lei" in "[ENB1] English B1".
 */
registry.category("web_tour.tours").add("training_retention_portal_withdrawal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the withdrawal and refunds entry of the portal",
            trigger: "a[href='/my/attrition']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Apply for a withdrawal",
            trigger: "a.o_training_apply_withdrawal",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The refund policy is shown beside the form",
            trigger: ".o_training_refund_policy:contains('Test standard policy')",
        },
        {
            content: "Choose the course to leave",
            trigger: ".o_training_withdrawal_form label:contains('English B1')",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: "select[name='reason_id']",
            run: "selectByLabel Financial difficulties",
        },
        {
            content: "Explain",
            trigger: "textarea[name='description']",
            run: "edit New job with evening shifts.",
        },
        {
            content: "Send the application",
            trigger: ".o_training_withdrawal_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The application waits for approval",
            trigger: ".o_training_case_state:contains('Under Approval')",
        },
        {
            content: "Its refund statement is shown",
            trigger: ".o_training_refund_statement:contains('Refund to pay')",
        },
    ],
});
