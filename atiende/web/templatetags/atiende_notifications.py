from django import template

from atiende.notifications.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    user = context["request"].user
    return unread_count(user) if user.is_authenticated else 0
