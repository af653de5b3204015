import { registry } from "@web/core/registry";

/**
 * Customer service reads the attrition rates (RET-08) and takes up an attrition alert
 * (RET-09), on desktop and phone sizes (tests/test_analytics_ui.py creates the data:
 * a withdrawn enrolment of "Tour Course", a foundation course, and an alert of the
 * rule "Tour rule").
 */
registry.category("web_tour.tours").add("training_retention_rates_tour", {
    steps: () => [
        {
            content: "The pivot shows the attrition rate measure",
            trigger: ".o_pivot .o_pivot_measure_row:contains('Attrition Rate')",
        },
        {
            content: "The foundation stage is a row of the pivot",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Foundation')",
        },
        {
            content: "The rate of the month is shown",
            trigger: ".o_pivot .o_pivot_cell_value:contains('100.00')",
        },
    ],
});

registry.category("web_tour.tours").add("training_retention_alert_tour", {
    steps: () => [
        {
            content: "Open the alert of the tour rule",
            trigger: ".o_kanban_record:contains('Tour rule'), .o_data_row:contains('Tour rule') td[name='rule_id']",
            run: "click",
        },
        {
            isActive: ["desktop"],
            content: "Take the alert up",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_investigate']",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the actions of the alert",
            trigger: ".o_control_panel .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Take the alert up",
            trigger: ".o-dropdown--menu button[name='action_investigate']",
            run: "click",
        },
        {
            content: "The alert is under investigation",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Investigating')",
        },
    ],
});

registry.category("web_tour.tours").add("training_retention_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard opens on the chart of the last 12 months",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            isActive: ["desktop"],
            content: "The last 12 months are filtered",
            trigger: ".o_searchview_facet:contains('Last 12 Months')",
        },
        {
            isActive: ["desktop"],
            content: "Switch to the pivot",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Open the view switcher",
            trigger: ".o_control_panel .o_cp_switch_buttons button",
            run: "click",
        },
        {
            isActive: ["mobile"],
            content: "Switch to the pivot",
            trigger: ".o-dropdown--menu .dropdown-item:contains('Pivot')",
            run: "click",
        },
        {
            content: "Withdrawals are a row of the pivot",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Withdrawal')",
        },
        {
            content: "Last month's withdrawal rate is shown",
            trigger: ".o_pivot .o_pivot_cell_value:contains('100.00')",
        },
    ],
});
