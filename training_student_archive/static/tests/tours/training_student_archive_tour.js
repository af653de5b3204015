import { registry } from "@web/core/registry";

/**
 * The archivist opens a pending archive from the Training menu, goes through its tabs
 * and reviews it (ARC-03, ARC-07). Runs on desktop and on a phone-sized screen:
 * steps marked "desktop" or "mobile" follow the navigation of each layout.
 *
 * The data comes from tests/test_ui.py: a pending archive of "Tour Student" enrolled in
 * "Tour Course".
 */
const ROOT_MENU = "training_student_archive.training_student_archive_menu_root";
const ARCHIVES_MENU = "training_student_archive.training_student_archive_menu_archives";
const STUDENT_ARCHIVES_MENU = "training_student_archive.training_student_archive_menu";

function checkTab(tabName, trigger) {
    return [
        {
            content: `Open the ${tabName} tab`,
            trigger: `.o_form_view .o_notebook .nav-link:contains('${tabName}')`,
            run: "click",
        },
        {
            content: `The ${tabName} tab shows its content`,
            trigger: `.o_form_view .o_notebook .tab-pane.active ${trigger}`,
        },
    ];
}

registry.category("web_tour.tours").add("training_student_archive_review_tour", {
    url: "/odoo",
    steps: () => [
        // Desktop: apps menu, then the Archives section of the Training app.
        {
            isActive: ["desktop"],
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            isActive: ["desktop"],
            content: "Open the Training app",
            trigger: `.o_app[data-menu-xmlid='${ROOT_MENU}']`,
            run: "click",
        },
        {
            isActive: ["desktop"],
            content: "Open the Archives menu",
            trigger: `.o_menu_sections button[data-menu-xmlid='${ARCHIVES_MENU}']`,
            run: "click",
        },
        {
            isActive: ["desktop"],
            content: "Open the student archives",
            trigger: `.o-dropdown--menu .dropdown-item[data-menu-xmlid='${STUDENT_ARCHIVES_MENU}']`,
            run: "click",
        },
        {
            isActive: ["desktop"],
            content: "Open the archive of the tour student",
            trigger: ".o_list_view .o_data_row:contains('Tour Student') td[name='name']",
            run: "click",
        },
        // Phone: the side menu lists the apps, then the menus of the current app.
        {
            isActive: ["mobile"],
            content: "Open the side menu",
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Show all apps",
            trigger: ".o_app_menu_sidebar .o_sidebar_topbar a.btn-primary",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the Training app",
            trigger: `.o_app_menu_sidebar li.o_app[data-menu-xmlid='${ROOT_MENU}']`,
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "The Training app is open",
            trigger: ".o_action_manager .o_kanban_view",
        },
        {
            isActive: ["mobile"],
            content: "Open the side menu of the Training app",
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the student archives",
            trigger: `.o_app_menu_sidebar li[data-menu-xmlid='${STUDENT_ARCHIVES_MENU}']`,
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the archive of the tour student",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Student')",
            run: "click",
        },
        // Both layouts: the form, its tabs, and the review.
        {
            content: "The archive waits for its review",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='pending']",
        },
        ...checkTab("Registration", ".o_field_widget[name='birthdate']"),
        ...checkTab("Enrolments", ".o_field_widget[name='enrollment_ids']:contains('Tour Course')"),
        ...checkTab("Learning Records", ".o_field_widget[name='learning_record_ids']"),
        ...checkTab("Documents", ".o_field_widget[name='document_ids']"),
        ...checkTab("Deadlines", ".o_field_widget[name='deadline_ids']:contains('Enrolment Data Handed Over')"),
        ...checkTab("Paper Archive", ".o_field_widget[name='paper_location']"),
        {
            isActive: ["desktop"],
            content: "Review the registration",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_review']",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the actions of the archive",
            trigger: ".o_control_panel .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Review the registration",
            trigger: ".o-dropdown--menu button[name='action_review']",
            run: "click",
        },
        {
            content: "Confirm the review",
            trigger: ".modal:contains('activate the archive') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The review is recorded",
            trigger: ".o_form_view .o_notebook .tab-pane.active .o_field_widget[name='reviewed_by_id']:contains('Tour Archivist')",
        },
        {
            isActive: ["desktop"],
            content: "The archive is active",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='active']",
        },
    ],
});
