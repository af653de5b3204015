"""The demo school of `make run`: five years of a Chinese language and vocational school

    demo_school.py company --config C --database D   before accounting is installed:
        the demo company becomes the school, in China and in CNY (Odoo then installs
        the Chinese chart of accounts)
    demo_school.py history --config C --database D   after: staff in Chinese and in
        English, vocational courses, a few hundred students with five years of
        enrolments, lessons, results, invoices, feedback, attrition cases with
        refunds, violations and read logs (the benchmark generator, scripts/bench.py,
        at a small scale), the nightly jobs run once (risk scores, alerts, rates),
        the coming weeks' lessons planned and one student's archive destroyed at her
        request (ARC-14)

Both steps are idempotent: run again, they find their work done and change nothing.
"""

import argparse
import random
import sys
from datetime import date

import bench
from dateutil.relativedelta import relativedelta

import odoo
from odoo import Command
from odoo.tools import config, date_utils

STUDENTS = 360
SCHOOL = {
    "name": "明德语言职业培训学校",
    "street": "南京西路 1266 号 12 楼",
    "city": "上海",
    "zip": "200040",
    "phone": "+86 21 6288 1266",
    "email": "office@mingde.example.cn",
    "website": "https://mingde.example.cn",
}
# Staff of the demo, by xml-id: Chinese staff use Odoo in Chinese; the foreign
# teachers and the administrator keep English.
STAFF = {
    "demo_user_archivist": ("陈静", "zh_CN"),
    "demo_user_supervisor": ("孙建国", "zh_CN"),
    "demo_user_enrolment": ("赵丽", "zh_CN"),
    "demo_user_service": ("刘芳", "zh_CN"),
    "demo_user_finance": ("黄伟", "zh_CN"),
    "demo_user_manager": ("周红", "zh_CN"),
    "demo_user_teacher": ("Tina Thompson", "en_US"),
    "demo_user_teacher2": ("Tom Tanaka", "en_US"),
}
NEW_TEACHERS = (("林晓", "lin.xiao"), ("周强", "zhou.qiang"), ("吴敏", "wu.min"))
# (code, English name, Chinese name, price in CNY, lessons, teacher index)
NEW_COURSES = (
    ("JPN-N5", "Japanese N5", "日语 N5", 3800, 40, 0),
    ("ACC-P", "Practical Accounting", "会计实务", 4600, 36, 1),
    ("PY-101", "Python Programming", "Python 编程", 5800, 32, 2),
    ("EC-OPS", "E-commerce Operations", "电商运营", 4200, 30, 1),
)
HISTORY_COURSES = ("ENG-A1", "IELTS", "BUS-C1", "KIDS-EN", *(c[0] for c in NEW_COURSES))
CHANNELS = (("WeChat", "微信"), ("Dianping", "大众点评"), ("Alumni", "老学员介绍"))
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo"),
)  # fmt: skip
GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("磊", "lei"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("丹", "dan"), ("浩", "hao"),
    ("欣怡", "xinyi"), ("子涵", "zihan"), ("梓轩", "zixuan"), ("思远", "siyuan"),
    ("雨桐", "yutong"), ("嘉怡", "jiayi"), ("俊杰", "junjie"), ("晓雯", "xiaowen"),
    ("宇航", "yuhang"), ("佳琪", "jiaqi"), ("志强", "zhiqiang"),
)  # fmt: skip
SUBJECTS = {
    "complaint": (
        "上课经常晚开始十分钟",
        "教室空调太冷",
        "作业批改太慢",
        "调课没有提前通知",
        "退费进度太慢",
        "发票开错了抬头",
    ),
    "suggestion": (
        "希望增加周末班",
        "建议提供课程录像",
        "希望增加口语练习时间",
        "建议开设晚间直播课",
    ),
    "praise": ("老师讲解很耐心", "前台服务很热情", "模拟考试很有帮助"),
}


def company(env):
    """Before the suite: the main company becomes the school (its currency can
    change while it has no journal entry)."""
    school = env.ref("base.main_company")
    if school.currency_id == env.ref("base.CNY"):
        return print("[demo] the school exists")
    env.ref("base.CNY").active = True
    school.write(
        dict(
            SCHOOL,
            country_id=env.ref("base.cn").id,
            currency_id=env.ref("base.CNY").id,
        )
    )
    school.partner_id.lang = "zh_CN"
    print(f"[demo] {school.name}: company in CNY")


def person(i, rnd):
    """A student with a Chinese name, a mobile number and an e-mail address."""
    surname, surname_py = rnd.choice(SURNAMES)
    given, given_py = rnd.choice(GIVEN)
    return {
        "name": surname + given,
        "email": f"{given_py}.{surname_py}.{i}@example.cn",
        "phone": f"+86 13{rnd.randint(0, 9)} {i:04d} {rnd.randint(0, 9999):04d}",
        "city": rnd.choice(("上海", "上海", "上海", "苏州", "杭州", "南京")),
        "ref": f"MD{i:04d}",
        "lang": "zh_CN",
    }


def ticket_subject(enrollment, kind, rnd):
    return rnd.choice(SUBJECTS[kind])


def _staff(env):
    env["res.lang"]._activate_lang("zh_CN")  # loaded by make run; active is enough
    for xmlid, (name, lang) in STAFF.items():
        env.ref(f"training_student_archive.{xmlid}").write({"name": name, "lang": lang})
    group = env.ref("training_student_archive.training_student_archive_group_teacher")
    teachers = env["res.users"]
    for name, login in NEW_TEACHERS:
        teachers |= env["res.users"].search([("login", "=", login)]) or env[
            "res.users"
        ].with_context(no_reset_password=True).create(
            {
                "name": name,
                "login": login,
                "email": f"{login}@mingde.example.cn",
                "lang": "zh_CN",
                "groups_id": [Command.link(group.id)],
            }
        )
    return teachers


def _courses(env, teachers):
    Course = env["training.course"]
    stages = env["training.course.stage"].search([])
    for code, name, name_zh, price, lessons, teacher in NEW_COURSES:
        if Course.search_count([("code", "=", code)]):
            continue
        product = env["product.product"].create(
            {
                "name": f"Course: {name}",
                "default_code": code,
                "type": "service",
                "list_price": price,
            }
        )
        course = Course.create(
            {
                "name": name,
                "code": code,
                "product_id": product.id,
                "list_price": price,
                "lesson_count": lessons,
                "stage_id": stages[len(Course.search([])) % len(stages)].id,
                "teacher_ids": [Command.set(teachers[teacher].ids)],
            }
        )
        course.update_field_translations("name", {"zh_CN": name_zh})
    return Course.search([("code", "in", HISTORY_COURSES)])


def _fixtures(env):
    teachers = _staff(env)
    courses = _courses(env, teachers)
    Source = env["utm.source"]
    for name, name_zh in CHANNELS:
        if not Source.search_count([("name", "=", name)]):
            Source.create({"name": name}).update_field_translations(
                "name", {"zh_CN": name_zh}
            )
    company = env.company
    journal = env["account.journal"].search
    return {
        "person": person,
        "ticket_subject": ticket_subject,
        "teachers": (teachers | courses.teacher_ids).ids,
        "courses": courses.ids,
        "sources": Source.search([]).ids,
        "school": env.ref("training_retention.demo_partner_school_hangzhou").id,
        "proof": env["ir.attachment"]
        .create({"name": "医院证明.pdf", "raw": b"%PDF-1.4 hospital certificate"})
        .id,
        "categories": env["training.feedback.category"].search([]).ids,
        "reasons": {
            case_type: env["training.attrition.reason"]
            .search([("case_type", "=", case_type)])
            .ids
            for case_type, __ in bench.CASE_TYPES
        },
        # one approver per tier: customer service, finance, management
        "approvers": [
            env.ref(f"training_student_archive.demo_user_{role}").id
            for role in ("service", "finance", "manager")
        ],
        "sale_journal": journal(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        ).id,
        "bank_journal": journal(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        ).id,
    }


def _closing_dates(env, archives):
    """The generator ends enrolments today; in the history they ended on their end
    date (completed) or on their case's effective date, and the archives with their
    last enrolment (the retention period counts from then)."""
    env.flush_all()
    env.cr.execute(
        """
        UPDATE training_enrollment e
           SET closed_date = COALESCE(
                   (SELECT max(c.effective_date)
                      FROM training_attrition_case_enrollment_rel rel
                      JOIN training_attrition_case c ON c.id = rel.case_id
                     WHERE rel.enrollment_id = e.id),
                   LEAST(e.end_date, e.closed_date))
         WHERE e.archive_id = ANY(%(ids)s) AND e.closed_date IS NOT NULL;
        UPDATE training_student_archive a
           SET closed_date = (SELECT max(e.closed_date) FROM training_enrollment e
                               WHERE e.archive_id = a.id)
         WHERE a.id = ANY(%(ids)s) AND a.closed_date IS NOT NULL;
        """,
        {"ids": archives.ids},
    )
    env.invalidate_all()
    Archive = env["training.student.archive"]
    env.add_to_compute(Archive._fields["retention_end_date"], archives)
    archives.flush_recordset()


NIGHTLY_JOBS = (
    "training_retention.ir_cron_compute_risk",
    "training_retention.ir_cron_flag_at_risk",
    "training_retention.ir_cron_refresh_attrition_rates",
    "training_retention.ir_cron_attrition_alerts",
    "training_student_archive.ir_cron_list_destruction_eligible",
)


def _run_nightly_jobs(env):
    """Each job as the cron runner calls it, batch after batch until done."""
    for xmlid in NIGHTLY_JOBS:
        cron = env.ref(xmlid)
        for __ in range(100):
            progress = env["ir.cron.progress"].create({"cron_id": cron.id})
            cron.with_user(cron.user_id).with_context(
                ir_cron_progress_id=progress.id
            )._callback(cron.cron_name, cron.ir_actions_server_id.id)
            if not progress.remaining:
                break


def _alerts(env):
    """The early-warning rules as if they had watched the five years: evaluated
    month after month (each evaluation catches up the weeks it missed); the
    alerts older than two months were looked into and closed by the manager."""
    today = date.today()
    start = date_utils.start_of(today - relativedelta(years=bench.YEARS), "month")
    rules = env["training.attrition.alert.rule"].search([])
    rules.write({"evaluated_until": start - relativedelta(days=1)})
    day = start
    while day <= today:
        rules._evaluate(today=day)
        day += relativedelta(months=1)
    rules._evaluate(today=today)
    manager = env.ref("training_student_archive.demo_user_manager")
    env["training.attrition.alert"].search(
        [("date_end", "<", today - relativedelta(months=2))]
    ).with_user(manager).action_done()


def _lessons(env, courses):
    """The coming eight weeks of every course, planned as the head teacher does it
    (*Plan Lessons*: two evenings or a weekend day a week, holidays skipped)."""
    today = date.today()
    patterns = ({"tue": True, "thu": True}, {"mon": True, "wed": True}, {"sat": True})
    for index, course in enumerate(courses):
        env["training.lesson.plan"].create(
            {
                "course_id": course.id,
                "date_from": today + relativedelta(days=1),
                "date_to": today + relativedelta(weeks=8),
                **patterns[index % len(patterns)],
            }
        ).action_plan()


def _destruction(env, archives):
    """A student who withdrew asked for her data to be destroyed (ARC-14): the
    archivist files the request, the head of the school approves, the archivist
    executes it."""
    archivist = env.ref("training_student_archive.demo_user_archivist")
    manager = env.ref("training_student_archive.demo_user_manager")
    withdrawn = archives.filtered(
        lambda a: (
            a.state == "withdrawn"
            and not a.enrollment_ids.filtered(lambda e: e.state in ("draft", "active"))
        )
    )
    if not withdrawn:
        return
    archive = withdrawn.sorted("closed_date")[0]
    destruction = (
        env["training.archive.destruction"]
        .with_user(archivist)
        .create(
            {
                "origin": "student",
                "archive_ids": [Command.set(archive.ids)],
                "reason": "学员退学后书面申请销毁个人资料（资料销毁申请表）。",
            }
        )
    )
    destruction.request_validation()
    destruction.with_user(manager).validate_tier()
    destruction.action_execute()


def history(env):
    if env["res.partner"].search_count([("ref", "=", f"MD{STUDENTS - 1:04d}")]):
        return print("[demo] the school's history exists")
    # the Chinese chart's own demo companies would only confuse the school's staff
    for xmlid in ("base.demo_company_cn", "base.demo_asbe_company_cn"):
        env.ref(xmlid, raise_if_not_found=False).active = False
    fixtures = _fixtures(env)
    rnd = random.Random(2021)
    bench._fill(env, fixtures, range(STUDENTS), rnd)
    archives = env["training.student.archive"].search(
        [("partner_id.ref", "=like", "MD____")]
    )
    _closing_dates(env, archives)
    _run_nightly_jobs(env)
    _alerts(env)
    _lessons(env, env["training.course"].browse(fixtures["courses"]))
    _destruction(env, archives)
    print(f"[demo] {len(archives)} students over {bench.YEARS} years")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("company", "history"))
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = bench.env_for(cr)
        company(env) if args.step == "company" else history(env)
        cr.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
