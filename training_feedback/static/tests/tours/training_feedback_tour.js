import { registry } from "@web/core/registry";

/**
 * FB-01, FB-04: a logged-in student gives anonymous feedback on the portal and follows
 * it on /my/feedback. Runs on a desktop and on a phone-sized screen.
 * The data comes from tests/test_ui.py (category "Facilities and Equipment").
 */
registry.category("web_tour.tours").add("training_feedback_portal_tour", {
    url: "/my/feedback",
    steps: () => [
        {
            content: "Give new feedback",
            trigger: "a.o_feedback_new",
            run: "click",
        },
        {
            content: "Subject",
            trigger: "form.o_feedback_form input[name='name']",
            run: "edit Broken projector in room 2",
        },
        {
            content: "Category",
            trigger: "form.o_feedback_form select[name='category_id']",
            run: "selectByLabel Facilities and Equipment",
        },
        {
            content: "Details",
            trigger: "form.o_feedback_form textarea[name='description']",
            run: "edit The projector of room 2 has been broken since Monday.",
        },
        {
            content: "Stay anonymous",
            trigger: "form.o_feedback_form input[name='anonymous']",
            run: "click",
        },
        {
            content: "Submit",
            trigger: "form.o_feedback_form button.o_feedback_submit",
            run: "click",
        },
        {
            content: "The ticket page shows the feedback, received",
            trigger: ".o_feedback_portal_page:contains('Broken projector in room 2') .o_feedback_state:contains('New')",
        },
        {
            content: "Back to my feedback",
            trigger: ".o_portal_submenu a[href='/my/feedback']",
            run: "click",
        },
        {
            content: "The list shows it",
            trigger: ".o_portal_my_doc_table td:contains('Broken projector in room 2')",
        },
    ],
});

/**
 * FB-03, FB-04, FB-06: the service agent opens the new ticket, reviews it, sends the
 * handling plan, starts the handling and sends the result: the ticket is resolved.
 * The data comes from tests/test_ui.py: the ticket "Tour: noisy corridor", owned by
 * the agent.
 */
registry.category("web_tour.tours").add("training_feedback_agent_tour", {
    url: "/odoo/action-training_feedback.training_feedback_action",
    steps: () => [
        {
            content: "Open the ticket",
            trigger: ".o_list_view .o_data_row:contains('Tour: noisy corridor') td[name='name']",
            run: "click",
        },
        {
            content: "Start the review",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_review']",
            run: "click",
        },
        {
            content: "The ticket is under review",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='review']",
        },
        {
            content: "Open the plan tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Plan and Actions')",
            run: "click",
        },
        {
            content: "Write the handling plan",
            trigger: ".o_form_view .o_field_html[name='plan'] .odoo-editor-editable",
            run: "editor Close the corridor doors during lessons.",
        },
        {
            content: "Valid: send the plan to the student",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_plan']",
            run: "click",
        },
        {
            content: "The ticket is planned",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='planned']",
        },
        {
            content: "Start the handling",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_start']",
            run: "click",
        },
        {
            content: "The ticket is in progress",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='progress']",
        },
        {
            content: "Open the result tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Result')",
            run: "click",
        },
        {
            content: "Write the result",
            trigger: ".o_form_view .o_field_html[name='result'] .odoo-editor-editable",
            run: "editor The doors now stay closed; the corridor is quiet.",
        },
        {
            content: "Send the result",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The ticket is resolved",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='resolved']",
        },
    ],
});
