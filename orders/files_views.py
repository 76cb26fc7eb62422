"""The uploaded files of the orders pages (the order's scan, the regulation, a point's evidence),
served to those who see the page they are on: another school's file is 404, the anonymous
visitor is sent to the login page (``gymnasium_portal.uploads``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from gymnasium_portal.uploads import file_response

from .models import PointEvidence, Regulation
from .selectors import order_list, regulation_orders


@login_required
def order_file_view(request, pk):
    order = get_object_or_404(order_list(user=request.user), pk=pk)
    return file_response(order.file, order.file_name)


@login_required
def regulation_file_view(request, pk):
    regulation = get_object_or_404(
        Regulation.objects.filter(order__in=regulation_orders(user=request.user)), pk=pk
    )
    return file_response(regulation.file, regulation.file_name)


@login_required
def evidence_file_view(request, pk):
    evidence = get_object_or_404(
        PointEvidence.objects.filter(point__order__in=order_list(user=request.user)), pk=pk
    )
    return file_response(evidence.file, evidence.file_name)
