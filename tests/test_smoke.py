import pytest

from staff.selectors import schoolclass_list


@pytest.mark.django_db
def test_class_teacher_sees_only_own_class(teacher_5a, teacher_5b, class_5a, class_5b, operator):
    assert list(schoolclass_list(user=teacher_5a)) == [class_5a]
    assert set(schoolclass_list(user=operator)) == {class_5a, class_5b}
