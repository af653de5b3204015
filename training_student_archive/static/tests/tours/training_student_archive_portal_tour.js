import { registry } from "@web/core/registry";

/**
 * A student opens their learning archive from the portal home and asks for a
 * correction of their phone number (ARC-16, ARC-08). Runs on desktop and on a
 * phone-sized screen. Data from tests/test_portal.py: "Portal Student".
 */
registry.category("web_tour.tours").add("training_student_archive_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the learning archive from the portal home",
            trigger: "a[href='/my/archive']",
            run: "click",
        },
        {
            content: "The archive shows the student, the lessons and the certificate",
            trigger: ".card-header:contains('Portal Student') .o_training_certificate",
        },
        {
            content: "Choose the information to correct",
            trigger: ".o_training_correction_form select[name='field_name']",
            run: "select phone",
        },
        {
            content: "Type the correct value",
            trigger: ".o_training_correction_form input[name='new_value']",
            run: "edit +86 138 0000 9999",
        },
        {
            content: "Say why",
            trigger: ".o_training_correction_form textarea[name='reason']",
            run: "edit I changed my phone number",
        },
        {
            content: "Send the request",
            trigger: ".o_training_correction_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request was sent",
            trigger: ".o_training_correction_sent",
        },
    ],
});
