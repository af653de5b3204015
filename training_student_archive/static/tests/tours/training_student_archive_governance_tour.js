import { registry } from "@web/core/registry";

/**
 * The archivist goes through Training > Archives > Governance (X-02, issue 15) and
 * approves a change request with the tier validation buttons (ARC-08, X-03). Data from
 * tests/test_ui.py: a draft change request of "Tour Student" asking for a new phone.
 */
const ROOT_MENU = "training_student_archive.training_student_archive_menu_root";
const ARCHIVES_MENU = "training_student_archive.training_student_archive_menu_archives";
const MENUS = [
    ["training_archive_access_request_menu", ".o_list_view"],
    ["training_archive_access_grant_menu", ".o_list_view"],
    ["training_archive_access_log_menu", ".o_list_view"],
    ["training_student_archive_menu_destruction_eligible", ".o_list_view"],
    ["training_archive_destruction_menu", ".o_list_view"],
    ["training_archive_audit_menu", ".o_list_view"],
    ["training_archive_change_request_menu", ".o_list_view .o_data_row:contains('Tour Student')"],
];

function openMenu([xmlid, view]) {
    return [
        {
            content: "Open the Archives menu",
            trigger: `.o_menu_sections button[data-menu-xmlid='${ARCHIVES_MENU}']`,
            run: "click",
        },
        {
            content: "The Archives menu has its Governance heading",
            trigger: ".o-dropdown--menu .dropdown-header:contains('Governance')",
        },
        {
            content: `Open ${xmlid}`,
            trigger: `.o-dropdown--menu .dropdown-item[data-menu-xmlid='training_student_archive.${xmlid}']`,
            run: "click",
        },
        {
            content: `${xmlid} shows its view`,
            trigger: `.o_action_manager ${view}`,
        },
    ];
}

registry.category("web_tour.tours").add("training_student_archive_governance_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Training app",
            trigger: `.o_app[data-menu-xmlid='${ROOT_MENU}']`,
            run: "click",
        },
        ...MENUS.flatMap(openMenu),
        {
            content: "Open the change request",
            trigger: ".o_list_view .o_data_row:contains('Tour Student') td[name='archive_id']",
            run: "click",
        },
        {
            content: "Request the validation",
            trigger: ".o_form_view .o_statusbar_buttons button[name='request_validation']",
            run: "click",
        },
        {
            content: "Validate it as the archivist tier",
            trigger: ".o_form_view button[name='validate_tier']",
            run: "click",
        },
        {
            content: "The change is applied",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='applied']",
        },
    ],
});
