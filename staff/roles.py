"""The portal's roles (DESIGN.md §3) as Django groups with their global permissions.

Global rights come from these groups and always stop at the user's own school (selectors narrow
every queryset). Rights on one class or one chat are object permissions granted by services.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Руководитель")
    COORDINATOR = "coordinator", _("Администратор-координатор")
    OPERATOR = "operator", _("Оператор (главный инженер)")
    CLASS_TEACHER = "class_teacher", _("Классный руководитель")
    CHAT_OWNER = "chat_owner", _("Ответственный за чат")
    WEB_EDITOR = "web_editor", _("Ответственный за сайт")
    STAFF = "staff", _("Сотрудник")
    INSPECTOR = "inspector", _("Управление образования")


_SCHOOL_VIEW = [
    "staff.view_school",
    "staff.view_schoolclass",
    "staff.view_person",
    "staff.view_absence",
    "staff.view_trainingrecord",
    "staff.view_statusconfirmation",
    "staff.view_movement",
    "orders.view_order",
    "orders.view_orderpoint",
    "orders.view_responsibility",
    "orders.view_regulation",
    "orders.view_acknowledgement",
    "compliance.view_finding",
    "compliance.view_jobrun",
    "compliance.view_dashboardsnapshot",
    "chats.view_chat",
    "chats.view_chatrequirement",
    "chats.view_meeting",
    "invitations.view_invitation",
    "invitations.view_joinrequest",
]
_OPERATOR = _SCHOOL_VIEW + [
    "staff.add_schoolclass",
    "staff.change_schoolclass",
    "staff.add_person",
    "staff.change_person",
    "staff.add_statusconfirmation",
    "staff.change_statusconfirmation",
    "staff.add_movement",
    "chats.add_chat",
    "chats.change_chat",
    "chats.add_meeting",
    "chats.change_meeting",
    "invitations.add_invitation",
    "invitations.change_invitation",
    "invitations.change_joinrequest",
    "orders.view_adminregistrationrequest",
    "orders.add_adminregistrationrequest",
]

# The global permissions of each role's group. Object permissions are not listed here.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.DIRECTOR: _SCHOOL_VIEW + ["orders.view_adminregistrationrequest"],
    Role.COORDINATOR: _OPERATOR
    + [
        "orders.add_order",
        "orders.change_order",
        "orders.add_orderpoint",
        "orders.change_orderpoint",
        "orders.add_responsibility",
        "orders.change_responsibility",
        "orders.delete_responsibility",
        "orders.add_regulation",
        "orders.change_regulation",
        "orders.change_acknowledgement",
        "staff.add_absence",
        "staff.change_absence",
        "chats.add_chatrequirement",
        "chats.change_chatrequirement",
        "staff.change_school",
    ],
    Role.OPERATOR: _OPERATOR,
    Role.CLASS_TEACHER: [],
    Role.CHAT_OWNER: [],
    Role.WEB_EDITOR: ["orders.view_regulation"],
    Role.STAFF: [],
    Role.INSPECTOR: ["staff.view_all_schools"],
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give them exactly the permissions above (used by migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # A migration's historical app configs have no models module, and create_permissions
        # skips such an app: lend it one for the call, then give back what was there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
