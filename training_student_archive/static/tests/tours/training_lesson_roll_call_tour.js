import { registry } from "@web/core/registry";

/**
 * A teacher takes the roll of today's lesson on a phone (ARC-05, ARC-06, X-02): opens
 * the lesson from the Lessons kanban, takes the roll, marks one student absent, gives the
 * other her class performance and homework, and saves the sheet.
 *
 * The data comes from tests/test_lesson_ui.py: "Tour Roll Course" with "Tour Present
 * Student" and "Tour Absent Student" enrolled, and a lesson today.
 */
registry.category("web_tour.tours").add("training_lesson_roll_call_tour", {
    url: "/odoo/action-training_student_archive.training_lesson_action",
    steps: () => [
        {
            content: "Open today's lesson",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Roll Course')",
            run: "click",
        },
        {
            content: "Open the actions of the lesson",
            trigger: ".o_control_panel .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            content: "Take the roll",
            trigger: ".o-dropdown--menu button[name='action_take_roll']",
            run: "click",
        },
        {
            content: "Both students are on the roll",
            trigger:
                ".o_field_widget[name='record_ids'] .o_data_row:contains('Tour Absent Student')",
        },
        {
            content: "Edit the line of the absent student",
            trigger:
                ".o_field_widget[name='record_ids'] .o_data_row:contains('Tour Absent Student') td[name='attendance']",
            run: "click",
        },
        {
            content: "Mark the student absent",
            trigger:
                ".o_field_widget[name='record_ids'] .o_selected_row .o_field_widget[name='attendance'] select",
            run: 'select "absent"',
        },
        {
            content: "Edit the line of the present student",
            trigger:
                ".o_field_widget[name='record_ids'] .o_data_row:contains('Tour Present Student') td[name='homework']",
            run: "click",
        },
        {
            content: "Her class performance is very good",
            trigger:
                ".o_field_widget[name='record_ids'] .o_selected_row .o_field_widget[name='performance'] select",
            run: 'select "4"',
        },
        {
            content: "Her homework is done",
            trigger:
                ".o_field_widget[name='record_ids'] .o_selected_row .o_field_widget[name='homework'] select",
            run: 'select "done"',
        },
        {
            content: "Save the sheet",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The lesson is recorded",
            trigger: ".o_form_saved .o_statusbar_status .o_arrow_button_current:contains('Recorded')",
        },
    ],
});
