"""The chats API against API.md: shape, scope, rights, every rule of the data → 400 with nothing
written."""

import pytest

from chats.models import Chat, ChatKind, ChatRequirement
from roster.services import schoolclass_archive
from staff.models import SchoolClass
from tests.factories import ChatFactory, PersonFactory, make_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/chats/"
CHAT_KEYS = {
    "platform_chat_id",  # the MAX integration (API.md)
    "verified_at",
    "members_source",
    "id",
    "kind",
    "school_class",
    "title",
    "url",
    "owner",
    "members_count",
    "status",
    "created_at",
}


def detail(chat):
    return f"{LIST}{chat.pk}/"


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- Authentication and shape ------------------------------------------------------------------


def test_it_requires_credentials(api, students_chat_5a):
    client = api()
    assert client.get(LIST).status_code == 401
    assert client.get(detail(students_chat_5a)).status_code == 401
    assert client.post(LIST, {}, format="json").status_code == 401
    assert client.patch(detail(students_chat_5a), {"title": "x"}, format="json").status_code == 401


def test_it_answers_with_the_fields_of_api_md(api, operator, students_chat_5a):
    response = api(operator).get(detail(students_chat_5a))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CHAT_KEYS
    assert body["kind"] == "class_students"
    assert body["school_class"] == students_chat_5a.school_class_id
    assert body["status"] == "active"
    assert body["members_count"] == 20
    assert body["owner"] is None
    page = api(operator).get(LIST).json()
    assert set(page) == {"count", "next", "previous", "results"}


def test_put_and_delete_are_not_offered(api, operator, students_chat_5a):
    client = api(operator)
    assert client.put(detail(students_chat_5a), {}, format="json").status_code == 405
    assert client.delete(detail(students_chat_5a)).status_code == 405
    assert Chat.objects.filter(pk=students_chat_5a.pk).exists()


# --- Who sees what --------------------------------------------------------------------------------


@pytest.fixture
def chats_everywhere(class_5a, class_5b, other_school_class, general_chat):
    return {
        "5a": ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS),
        "5b": ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS),
        "other": ChatFactory(school_class=other_school_class, kind=ChatKind.CLASS_PARENTS),
        "general": general_chat,
    }


def test_operator_and_director_see_their_school_only(api, operator, director, chats_everywhere):
    mine = {chats_everywhere[k].pk for k in ("5a", "5b", "general")}
    assert ids(api(operator).get(LIST)) == mine
    assert ids(api(director).get(LIST)) == mine


def test_class_teacher_sees_only_own_class_chats(api, teacher_5a, chats_everywhere):
    assert ids(api(teacher_5a).get(LIST)) == {chats_everywhere["5a"].pk}
    assert api(teacher_5a).get(detail(chats_everywhere["5b"])).status_code == 404
    assert api(teacher_5a).get(detail(chats_everywhere["general"])).status_code == 404


def test_chat_owner_sees_the_school_wide_chats_not_the_classes(
    api, chat_owner, chats_everywhere, staff_chat
):
    assert ids(api(chat_owner).get(LIST)) == {chats_everywhere["general"].pk, staff_chat.pk}


def test_staff_without_rights_sees_nothing(api, staff_member, chats_everywhere):
    assert ids(api(staff_member).get(LIST)) == set()
    assert api(staff_member).get(detail(chats_everywhere["general"])).status_code == 404


def test_inspector_sees_every_school(api, inspector, chats_everywhere):
    assert ids(api(inspector).get(LIST)) == {chat.pk for chat in chats_everywhere.values()}


def test_director_of_another_school_gets_404(api, other_director, chats_everywhere):
    assert api(other_director).get(detail(chats_everywhere["5a"])).status_code == 404
    assert ids(api(other_director).get(LIST)) == {chats_everywhere["other"].pk}


def test_filters(api, operator, chats_everywhere, class_5a, students_chat_5a):
    client = api(operator)
    assert ids(client.get(LIST, {"school_class": class_5a.pk})) == {
        chats_everywhere["5a"].pk,
        students_chat_5a.pk,
    }
    assert ids(client.get(LIST, {"kind": "school_general"})) == {chats_everywhere["general"].pk}
    assert ids(client.get(LIST, {"school_class": class_5a.pk, "kind": "class_students"})) == {
        students_chat_5a.pk
    }


@pytest.mark.parametrize(
    "params", [{"school_class": "abc"}, {"school_class": "-1"}, {"kind": "nope"}]
)
def test_bad_filters_are_400(api, operator, params):
    response = api(operator).get(LIST, params)
    assert response.status_code == 400
    assert set(response.json()) <= {"school_class", "kind"}


def test_list_queries_do_not_grow_with_chats(api, operator, school, django_assert_max_num_queries):
    for n in range(30):
        ChatFactory(
            school_class=SchoolClass.objects.create(
                school=school, academic_year=2025, grade=1 + n % 11, letter=f"Я{n}"
            ),
            kind=ChatKind.CLASS_OTHER,
        )
    client = api(type(operator).objects.get(pk=operator.pk))
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert response.json()["count"] == 30


# --- Creating -------------------------------------------------------------------------------------


def payload(**overrides):
    data = {
        "kind": "class_parents",
        "title": "5А — родители",
        "url": "https://web.max.ru/chat/p5a",
        "members_count": 31,
    }
    data.update(overrides)
    return data


def test_class_teacher_creates_a_chat_of_own_class(api, teacher_5a, class_5a):
    response = api(teacher_5a).post(LIST, payload(school_class=class_5a.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == CHAT_KEYS
    chat = Chat.objects.get(pk=body["id"])
    assert (chat.school_class, chat.kind, chat.members_count, chat.created_by) == (
        class_5a,
        "class_parents",
        31,
        teacher_5a,
    )
    assert chat.school_id == class_5a.school_id
    assert chat.last_verified_at is not None
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", ["class_5b", "other_school_class", "nonexistent"])
def test_class_teacher_cannot_create_a_chat_of_another_class(
    api, teacher_5a, class_5b, other_school_class, target
):
    class_id = {
        "class_5b": class_5b.pk,
        "other_school_class": other_school_class.pk,
        "nonexistent": 999999,
    }[target]
    response = api(teacher_5a).post(LIST, payload(school_class=class_id), format="json")
    # The same answer whether the class exists or not: ids of other classes cannot be probed.
    assert response.status_code == 403
    assert not Chat.objects.exists()


def test_class_teacher_cannot_create_a_school_wide_chat(api, teacher_5a):
    response = api(teacher_5a).post(
        LIST, payload(kind="school_general", school_class=None), format="json"
    )
    assert response.status_code == 403
    assert not Chat.objects.exists()


@pytest.mark.parametrize("who", ["director", "staff_member", "chat_owner", "inspector"])
def test_roles_without_the_right_cannot_create(api, request, class_5a, who):
    user = request.getfixturevalue(who)
    response = api(user).post(LIST, payload(school_class=class_5a.pk), format="json")
    assert response.status_code == 403
    assert Chat.objects.filter(school_class=class_5a).count() == 0


def test_operator_creates_a_school_wide_chat_and_its_named_owner_gets_it(
    api, operator, school, requirements
):
    named = make_user(school=school, username="gladkova", full_name="Гладкова Л.И.")
    ChatRequirement.objects.get(school=school, kind="school_leadership").owners.add(named.person)
    response = api(operator).post(
        LIST,
        payload(kind="school_leadership", title="Руководство", school_class=None),
        format="json",
    )
    assert response.status_code == 201, response.json()
    chat = Chat.objects.get(pk=response.json()["id"])
    assert chat.owner == named.person
    assert response.json()["owner"] == named.person.pk
    assert named.has_perm("chats.change_chat", chat)


def test_operator_may_name_the_owner(api, operator, school):
    person = PersonFactory(school=school)
    response = api(operator).post(
        LIST, payload(kind="school_general", school_class=None, owner=person.pk), format="json"
    )
    assert response.status_code == 201
    assert Chat.objects.get().owner == person


def test_class_other_may_repeat(api, teacher_5a, class_5a):
    client = api(teacher_5a)
    for n in range(2):
        data = payload(kind="class_other", school_class=class_5a.pk, url=f"https://web.max.ru/o{n}")
        assert client.post(LIST, data, format="json").status_code == 201
    assert Chat.objects.filter(kind="class_other").count() == 2


def test_an_archived_chat_does_not_block_a_new_one(api, teacher_5a, class_5a, students_chat_5a):
    Chat.objects.filter(pk=students_chat_5a.pk).update(status=Chat.Status.ARCHIVED)
    response = api(teacher_5a).post(
        LIST, payload(kind="class_students", school_class=class_5a.pk), format="json"
    )
    assert response.status_code == 201


@pytest.fixture
def archived_class(school):
    school_class = SchoolClass.objects.create(
        school=school, academic_year=2025, grade=9, letter="Я"
    )
    return schoolclass_archive(school_class=school_class)


BAD_CREATES = {
    "class kind without class": lambda c: payload(),
    "class kind with null class": lambda c: payload(school_class=None),
    "school kind with a class": lambda c: payload(kind="school_general", school_class=c["5a"]),
    "http link": lambda c: payload(school_class=c["5a"], url="http://sferum.example/chat"),
    "ftp link": lambda c: payload(school_class=c["5a"], url="ftp://sferum.example/chat"),
    "javascript link": lambda c: payload(school_class=c["5a"], url="javascript:alert(1)"),
    "not a link": lambda c: payload(school_class=c["5a"], url="чат родителей"),
    "no link": lambda c: {k: v for k, v in payload(school_class=c["5a"]).items() if k != "url"},
    "unknown kind": lambda c: payload(school_class=c["5a"], kind="class_grandparents"),
    "no kind": lambda c: {k: v for k, v in payload(school_class=c["5a"]).items() if k != "kind"},
    "empty title": lambda c: payload(school_class=c["5a"], title="  "),
    "long title": lambda c: payload(school_class=c["5a"], title="я" * 201),
    "NUL in title": lambda c: payload(school_class=c["5a"], title="чат\x00"),
    "negative members": lambda c: payload(school_class=c["5a"], members_count=-1),
    "members as text": lambda c: payload(school_class=c["5a"], members_count="много"),
    "huge members": lambda c: payload(school_class=c["5a"], members_count=10**12),
    "class as text": lambda c: payload(school_class="5А"),
    "unknown status": lambda c: payload(school_class=c["5a"], status="deleted"),
    "created archived": lambda c: payload(school_class=c["5a"], status="archived"),
    "second active parents chat": lambda c: payload(school_class=c["5a"], kind="class_parents"),
    "second active school chat": lambda c: payload(kind="school_general", school_class=None),
    "owner of another school": lambda c: payload(
        kind="school_staff", school_class=None, owner=c["other_person"]
    ),
    "unknown owner": lambda c: payload(kind="school_staff", school_class=None, owner=999999),
    "archived class": lambda c: payload(school_class=c["archived"]),
    "huge class id": lambda c: payload(school_class=10**30),
}


@pytest.mark.parametrize("case", BAD_CREATES)
def test_bad_input_is_400_and_nothing_is_written(
    api, operator, class_5a, other_school, archived_class, general_chat, case
):
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS)
    context = {
        "5a": class_5a.pk,
        "other_person": PersonFactory(school=other_school).pk,
        "archived": archived_class.pk,
    }
    before = Chat.objects.count()
    response = api(operator).post(LIST, BAD_CREATES[case](context), format="json")
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict) and response.json()
    assert Chat.objects.count() == before


def test_a_duplicate_says_why(api, operator, class_5a, students_chat_5a):
    response = api(operator).post(
        LIST, payload(kind="class_students", school_class=class_5a.pk), format="json"
    )
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "5А" in message and students_chat_5a.title in message


def test_the_url_rule_names_its_field(api, operator, class_5a):
    response = api(operator).post(
        LIST, payload(school_class=class_5a.pk, url="http://x.example"), format="json"
    )
    assert "https://" in response.json()["url"][0]


# --- Changing -------------------------------------------------------------------------------------


def test_class_teacher_edits_own_class_chat(api, teacher_5a, students_chat_5a):
    response = api(teacher_5a).patch(
        detail(students_chat_5a), {"members_count": 24, "title": "Наш 5А"}, format="json"
    )
    assert response.status_code == 200
    students_chat_5a.refresh_from_db()
    assert (students_chat_5a.members_count, students_chat_5a.title) == (24, "Наш 5А")
    assert students_chat_5a.last_verified_at is not None


def test_class_teacher_cannot_edit_another_class_chat(api, teacher_5a, class_5b):
    chat = ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS, title="5Б")
    response = api(teacher_5a).patch(detail(chat), {"title": "захвачен"}, format="json")
    assert response.status_code == 404
    chat.refresh_from_db()
    assert chat.title == "5Б"


def test_class_teacher_cannot_move_a_chat_into_another_class(
    api, teacher_5a, students_chat_5a, class_5b
):
    response = api(teacher_5a).patch(
        detail(students_chat_5a), {"school_class": class_5b.pk}, format="json"
    )
    assert response.status_code == 403
    students_chat_5a.refresh_from_db()
    assert students_chat_5a.school_class_id != class_5b.pk


def test_class_teacher_cannot_hand_the_chat_to_an_owner(api, teacher_5a, students_chat_5a, school):
    person = PersonFactory(school=school)
    response = api(teacher_5a).patch(detail(students_chat_5a), {"owner": person.pk}, format="json")
    assert response.status_code == 403
    students_chat_5a.refresh_from_db()
    assert students_chat_5a.owner is None


def test_chat_owner_edits_own_chat(api, chat_owner, general_chat):
    response = api(chat_owner).patch(detail(general_chat), {"members_count": 95}, format="json")
    assert response.status_code == 200
    assert response.json()["members_count"] == 95


def test_chat_owner_cannot_edit_another_school_wide_chat(api, chat_owner, staff_chat):
    response = api(chat_owner).patch(detail(staff_chat), {"title": "чужой"}, format="json")
    assert response.status_code == 403
    staff_chat.refresh_from_db()
    assert staff_chat.title == "Педагоги"


def test_chat_owner_cannot_reassign_own_chat(api, chat_owner, general_chat, school):
    person = PersonFactory(school=school)
    response = api(chat_owner).patch(detail(general_chat), {"owner": person.pk}, format="json")
    assert response.status_code == 403


def test_director_sees_but_cannot_edit(api, director, students_chat_5a):
    assert api(director).get(detail(students_chat_5a)).status_code == 200
    assert (
        api(director).patch(detail(students_chat_5a), {"title": "x"}, format="json").status_code
        == 403
    )


def test_operator_reassigns_the_owner_and_the_rights_follow(
    api, operator, chat_owner, general_chat, school
):
    new_owner = make_user(school=school, username="smetanina", full_name="Сметанина А.Ф.")
    response = api(operator).patch(
        detail(general_chat), {"owner": new_owner.person.pk}, format="json"
    )
    assert response.status_code == 200
    general_chat.refresh_from_db()
    assert general_chat.owner == new_owner.person
    assert new_owner.has_perm("chats.change_chat", general_chat)
    chat_owner = type(chat_owner).objects.get(pk=chat_owner.pk)  # fresh permission cache
    assert not chat_owner.has_perm("chats.change_chat", general_chat)


BAD_PATCHES = {
    "http link": {"url": "http://sferum.example/x"},
    "empty title": {"title": ""},
    "negative members": {"members_count": -5},
    "unknown status": {"status": "gone"},
    "drop the class": {"school_class": None},
    "school kind on a class chat": {"kind": "school_general"},
    "reactivate a duplicate": "reactivate",
}


@pytest.mark.parametrize("case", BAD_PATCHES)
def test_bad_patches_are_400_and_change_nothing(api, operator, class_5a, students_chat_5a, case):
    chat = students_chat_5a
    data = BAD_PATCHES[case]
    if data == "reactivate":
        Chat.objects.filter(pk=chat.pk).update(status=Chat.Status.ARCHIVED)
        ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, title="новый")
        data = {"status": "active"}
    before = Chat.objects.values().get(pk=chat.pk)
    response = api(operator).patch(detail(chat), data, format="json")
    assert response.status_code == 400, response.content
    assert Chat.objects.values().get(pk=chat.pk) == before


def test_archiving_through_patch(api, teacher_5a, students_chat_5a):
    response = api(teacher_5a).patch(
        detail(students_chat_5a), {"status": "archived"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "archived"
