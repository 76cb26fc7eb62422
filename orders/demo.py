"""Order No. 883 of 15.12.2025 as data: one source of truth for ``seed_demo`` and
``generate_scale_data``; and the orders part of the demo, ``seed_order``.

The texts are the order's own, point by point, verbatim (only point 3's dashes become 3.1–3.11 and
point 7's lead-in is repeated in 7.1–7.3 so that each reads whole). Each measurable point names the
compliance check bound to it (keys as listed in ``compliance.registry``).

``seed_order`` writes the order in force for the demo gymnasium of ``staff.demo``, with the people
it names as responsible, the regulation it approves and its distribution list; keyed on natural
keys, so a second run leaves the same data.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from staff.demo import COURSE_TITLE, COURSE_URL, DemoSchool
from staff.models import Person, School

from .models import Order, OrderPoint, Regulation, Responsibility
from .services import acknowledgements_distribute

ORDER_883_NUMBER = "883"
ORDER_883_DATE = datetime.date(2025, 12, 15)
_PLATFORM = (
    "информационно-коммуникационной образовательной платформы «Сферум» в национальном "
    "мессенджере «МАХ»"
)
ORDER_883_TITLE = (
    f"Об использовании {_PLATFORM} при реализации образовательных программ, программ внеурочной "
    "деятельности и дополнительного образования, а также при решении вопросов функционирования "
    "муниципальных образовательных организаций"
)
# The municipal order No. 935 bears the same title as No. 883 (the school repeats it).
ORDER_883_BASIS = (
    "Приказ Управления образования администрации МО ГО «Сыктывкар» от 01.12.2025 №935 "
    f"«{ORDER_883_TITLE}»"
)
ORDER_883_PREAMBLE = (
    "Во исполнение приказа Управления образования администрации МО ГО «Сыктывкар» от 01.12.2025 "
    f"года №935 «{ORDER_883_TITLE}», в целях оперативного и безопасного информирования участников "
    "образовательных отношений, соблюдения единых стандартов общения, защиты персональных данных и "
    "решения образовательных, воспитательных и организационных задач"
)
ORDER_883_DISTRIBUTION = "Приказ направлен всем заинтересованным лицам через ГИС ЭО"
_REGULATION_SUBJECT = (
    f"Об использовании {_PLATFORM} при реализации образовательных программ, программ внеурочной "
    "деятельности и дополнительного образования, а также при решении вопросов функционирования "
    "МАОУ «Гимназия им.А.С.Пушкина»"
)
REGULATION_TITLE = f"Положение «{_REGULATION_SUBJECT}»"
_GYMNASIUM_IN_TEXT = "МАОУ «Гимназия им.А.С.Пушкина»"
_IKOP = "ИКОП «Сферум» в национальном мессенджере «МАХ»"


@dataclass(frozen=True)
class PointSpec:
    number: str
    text: str
    check_key: str = ""
    deadline: datetime.date | None = None  # None: «постоянно»
    parent: str | None = None


# Point 3 lists its duties as dashes; they become 3.1, 3.2, … in the order they are written.
# The order has eleven dashes (DESIGN.md speaks of ten): all eleven are kept, so the numbers
# bound to checks (3.5, 3.6, 3.8, 3.9) are the dashes' real positions.
_POINT_3_DUTIES: tuple[tuple[str, str], ...] = (
    (
        "создает необходимый структурный компонент, обеспечивающий присоединение всех "
        f"пользователей {_GYMNASIUM_IN_TEXT} к {_IKOP};",
        "",
    ),
    (
        f"при необходимости создает структуру {_GYMNASIUM_IN_TEXT}, компонентом которой является "
        "класс (группа), в соответствии с утвержденной структурой;",
        "",
    ),
    (
        "создает и направляет педагогическим работникам, а при необходимости учащимся и их "
        "родителям (законным представителям) ссылки-приглашения для присоединения в "
        f"соответствующий структурный компонент в установленной пользовательской роли на {_IKOP};",
        "",
    ),
    (
        "назначает права администрирования пользователю из числа присоединившихся пользователей "
        f"структурного компонента на {_IKOP};",
        "",
    ),
    (
        "при необходимости прикрепляет педагогических работников, выполняющих должностные "
        "обязанности классных руководителей, по учебным классам (группам) в соответствии с "
        "утвержденным распределением классного руководства;",
        "classes_have_teacher",
    ),
    (
        f"рассматривает и принимает заявки на присоединение к {_GYMNASIUM_IN_TEXT} в {_IKOP} от "
        "педагогических работников, иных сотрудников, а при необходимости от учащихся и их "
        "родителей (законных представителей) из числа представителей совета родителей (законных "
        f"представителей) несовершеннолетних учащихся {_GYMNASIUM_IN_TEXT} и совета учащихся "
        f"{_GYMNASIUM_IN_TEXT} соответственно;",
        "join_requests_timely",
    ),
    (
        "редактирует информацию, связанную с движением учащихся, педагогических работников, "
        "родителей (законных представителей) учащихся;",
        "",
    ),
    (
        f"аннулирует невостребованные ссылки-приглашения на присоединение к {_GYMNASIUM_IN_TEXT} "
        f"в {_IKOP} с целью обеспечения информационной безопасности участников образовательных "
        "отношений;",
        "no_stale_invitations",
    ),
    (
        "завершает процесс подтверждения статуса «учитель» педагогических работников, статуса "
        f"«сотрудник» иных работников {_GYMNASIUM_IN_TEXT};",
        "staff_status_confirmed",
    ),
    (
        "при необходимости направляет посредством электронной почты на адрес info@sferum.ru "
        f"заявку на регистрацию нового администратора {_GYMNASIUM_IN_TEXT} на {_IKOP} с "
        "приложением приказа о назначении администратора с указанием контактных данных (ФИО, "
        "адрес электронной почты, номер личного мобильного телефона);",
        "",
    ),
    (
        "оказывает помощь и поддержку участникам образовательных отношений по эффективному "
        f"использованию функционала {_IKOP}.",
        "",
    ),
)

# Point 7 is only a lead-in; each sub-point carries it so that it reads whole on its own.
_POINT_7_LEAD = "Заместителю директора Горбатенко В.И. обеспечить"
_SFERUM_PLATFORM = "Информационно-коммуникационной платформы «Сферум»"

ORDER_883_POINTS: tuple[PointSpec, ...] = (
    PointSpec(
        "1",
        f"Утвердить {REGULATION_TITLE.replace('»»', '»')} согласно приложению к настоящему "
        "приказу.",
        "regulation_attached",
    ),
    PointSpec(
        "2",
        "Назначить администратором - ответственным лицом за координацию работы по использованию "
        f"{_SFERUM_PLATFORM}, интегрированной с сервисом «МАХ» заместителя директора Горбатенко "
        "В.И., при её отсутствии – главного инженера Костюкова Д.Ю.",
        "person_in_charge_today",
    ),
    PointSpec(
        "3",
        "Главному инженеру Костюкову Д.Ю. в постоянном режиме обеспечить выполнение следующих "
        "задач:",
    ),
    *(
        PointSpec(f"3.{index}", text, check_key, parent="3")
        for index, (text, check_key) in enumerate(_POINT_3_DUTIES, start=1)
    ),
    PointSpec(
        "4",
        "Классным руководителям 1-11 классов обеспечить создание и использование в работе чатов с "
        "участниками образовательных отношений для взаимодействия с целью решения соответствующих "
        "образовательных задач, а именно:\n"
        "– чат с учащимися своего класса;\n"
        "– чат с родителями (законными представителями) учащихся;\n"
        "– иные чаты для решения образовательных задач (при необходимости).",
        "class_chats",
    ),
    PointSpec(
        "5",
        f"Коллективу {_GYMNASIUM_IN_TEXT} обеспечить коммуникационное взаимодействие (проведение "
        "рабочих встреч и совещаний в онлайн или гибридном формате посредством использования "
        "функционала видео-конференц-связи) с пользователями для решения образовательных, "
        "воспитательных и управленческих задач в чатах, созданных в "
        "Информационно-коммуникационной платформе «Сферум» в национальном мессенджере «МАХ».",
        "meetings_this_month",
    ),
    PointSpec(
        "6",
        # «Рыенкова О.А.» is the order's own spelling (kept verbatim); see NAMED_PEOPLE.
        "Обеспечить создание и функционирование общешкольного чата (отв. заместители директора "
        "Рыженкова О.А., Сметанина А.Ф.),\n"
        "чатов:\n"
        "руководителя с заместителями руководителя (отв. Гладкова Л.И.);\n"
        "руководителя с педагогическими и иными работниками (отв. Гладкова Л.И.);\n"
        "с представителями родительского комитета (актива) (отв. Сокирка Е.А., Рыенкова О.А., "
        "Сметанина А.Ф.);\n"
        "с представителями органа ученического самоуправления (актива) (отв. Сокирка Е.А.).",
        "school_chats",
    ),
    PointSpec(
        "7.1",
        f"{_POINT_7_LEAD} контроль по использованию {_SFERUM_PLATFORM} в национальном мессенджере "
        "«МАХ» всеми участниками образовательных отношений, в том числе при проведении учебных и "
        "иных занятий с применением дистанционных образовательных технологий, а также различных "
        "мероприятий в онлайн или гибридном формате;",
    ),
    PointSpec(
        "7.2",
        f"{_POINT_7_LEAD} обучение педагогических работников по бесплатной онлайн -программе "
        f"повышения квалификации «{COURSE_TITLE} <{COURSE_URL}>.",
        "teachers_trained",
    ),
    PointSpec(
        "7.3",
        f"{_POINT_7_LEAD} организацию и проведение мероприятий по использованию возможностей "
        f"{_SFERUM_PLATFORM} для организации служебной и учебной коммуникации муниципальных "
        "образовательных организаций.",
        "platform_events",
    ),
    PointSpec(
        "8",
        "Осипову А.А., ответственному за наполнение сайта гимназии, разместить "
        f"{REGULATION_TITLE.replace('»»', '»')} на сайте гимназии в срок до 25.12.2025 года.",
        "regulation_published",
        deadline=datetime.date(2025, 12, 25),
    ),
    PointSpec("9", "Контроль за исполнением настоящего приказа оставляю за собой."),
)


# --- The seed -----------------------------------------------------------------------------------

# Point → [(person key, role)]. Points 4 and 5 address every class teacher / the whole staff.
_R = Responsibility.Role
RESPONSIBILITIES: dict[str, list[tuple[str, str]]] = {
    "1": [("director", _R.PRIMARY)],
    "2": [("coordinator", _R.PRIMARY), ("engineer", _R.BACKUP)],
    "3": [("engineer", _R.PRIMARY)],
    **{spec.number: [("engineer", _R.PRIMARY)] for spec in ORDER_883_POINTS if spec.parent == "3"},
    # The director signs «обеспечить создание»; the chat owners named in the point carry it out.
    "6": [
        ("director", _R.PRIMARY),
        ("ryzhenkova", _R.CO_EXECUTOR),
        ("smetanina", _R.CO_EXECUTOR),
        ("sokirka", _R.CO_EXECUTOR),
    ],
    "7.1": [("coordinator", _R.PRIMARY)],
    "7.2": [("coordinator", _R.PRIMARY)],
    "7.3": [("coordinator", _R.PRIMARY)],
    "8": [("osipov", _R.PRIMARY)],
    "9": [("director", _R.PRIMARY)],
}


def seed_order(*, demo: DemoSchool) -> Order:
    """The order in force with its points and responsible people, the regulation it approves, and
    the distribution list: every member of staff (a re-run keeps who has already read it)."""
    order = _order(demo.school, demo.people)
    _regulation(demo.school, order)
    acknowledgements_distribute(order=order)
    return order


def _order(school: School, people: dict[str, Person]) -> Order:
    order, _created = Order.objects.update_or_create(
        school=school,
        number=ORDER_883_NUMBER,
        date=ORDER_883_DATE,
        defaults={
            "title": ORDER_883_TITLE,
            "basis": ORDER_883_BASIS,
            "preamble": ORDER_883_PREAMBLE,
            "signed_by": people["director"],
            "distribution_note": ORDER_883_DISTRIBUTION,
            "status": Order.Status.IN_FORCE,
        },
    )
    points: dict[str, OrderPoint] = {}
    for position, spec in enumerate(ORDER_883_POINTS, start=1):
        points[spec.number], _created = OrderPoint.objects.update_or_create(
            order=order,
            number=spec.number,
            defaults={
                "parent": points[spec.parent] if spec.parent else None,
                "position": position,
                "text": spec.text,
                "deadline": spec.deadline,
                "check_key": spec.check_key,
            },
        )
    for number, assignments in RESPONSIBILITIES.items():
        for person_key, role in assignments:
            Responsibility.objects.update_or_create(
                point=points[number], person=people[person_key], defaults={"role": role}
            )
    return order


def _regulation(school: School, order: Order) -> Regulation:
    regulation, _created = Regulation.objects.update_or_create(
        order=order,
        version=1,
        defaults={
            "school": school,
            "title": REGULATION_TITLE,
            "approved_on": ORDER_883_DATE,
            # Point 8 is not done yet in the demo: the web editor records the publication.
            "published_url": "",
            "published_on": None,
            "published_by": None,
        },
    )
    name = "regulations/2025/polozhenie-sferum-883.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(regulation_pdf()))
    if regulation.file.name != name:
        regulation.file.name = name
        regulation.save(update_fields=["file", "updated_at"])
    return regulation


# --- The regulation's file ----------------------------------------------------------------------

_FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


def regulation_pdf() -> bytes:
    """A one-page PDF standing in for the regulation's text (the demo has no real appendix)."""
    lines = [
        "Приложение к приказу МАОУ «Гимназия им. А.С. Пушкина» от 15.12.2025 № 883",
        "",
        REGULATION_TITLE,
        "",
        "ДЕМОНСТРАЦИОННАЯ КОПИЯ: текст Положения в демо-данных портала не воспроизводится.",
    ]
    try:
        from fpdf import FPDF
    except ImportError:
        have_fpdf = False
    else:
        have_fpdf = True
    font = _cyrillic_font()
    if have_fpdf and font is not None:
        logging.getLogger("fontTools").setLevel(
            logging.WARNING
        )  # its font subsetting chatters at INFO
        pdf = FPDF(format="A4")
        pdf.set_creation_date(datetime.datetime(2025, 12, 15, tzinfo=datetime.UTC))
        pdf.add_page()
        pdf.add_font("Body", fname=str(font))
        pdf.set_font("Body", size=12)
        for line in lines:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    return _minimal_pdf(
        [
            "Polozhenie ob ispolzovanii IKOP Sferum v messendzhere MAKH",
            "Prilozhenie k prikazu No 883 ot 15.12.2025",
            "DEMO COPY",
        ]
    )


def _cyrillic_font() -> Path | None:
    try:
        import font_roboto

        candidates = [Path(font_roboto.__file__).parent / "files" / "Roboto-Regular.ttf"]
    except ImportError:
        candidates = []
    candidates += [Path(path) for path in _FONT_CANDIDATES]
    return next((path for path in candidates if path.exists()), None)


def _minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF in Latin letters, for when no PDF library or Cyrillic font is at
    hand."""
    text = (
        "BT /F1 12 Tf 50 790 Td 16 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
