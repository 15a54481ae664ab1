"""`{% blocktranslate %}` with French elision before the values it puts in the message.

{% load i18n elision %}
{% blocktranslate with name=member.display_name %}Proxy of {{ name }}{% endblocktranslate %}

In French, with a member named Olympe, this reads "Pouvoir d'Olympe", not "Pouvoir de Olympe":
the message is filled in by coop.formatting.interpolate, which elides "de", "le", "la", "que",
"je" and "ne" before a value starting with a vowel. Other languages read as with Django's tag.

Load it after i18n: the tags keep their names, so the strings are still found by makemessages
and the catalogue does not change.
"""

from decimal import Decimal
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.templatetags.i18n import BlockTranslateNode, do_block_translate
from django.utils import translation
from django.utils.safestring import SafeString

from coop import formatting

register = template.Library()


class ElidingBlockTranslateNode(BlockTranslateNode):
    """Django's node, filled in with `formatting.interpolate` instead of `%`."""

    def render(self, context: template.Context, nested: bool = False) -> str:
        tag_name = getattr(self, "tag_name", "blocktranslate")
        message_context = self.message_context.resolve(context) if self.message_context else None
        context.update({var: val.resolve(context) for var, val in self.extra_context.items()})
        singular, names = self.render_token_list(self.singular)
        if self.plural and self.countervar and self.counter:
            count = self.counter.resolve(context)
            if not isinstance(count, Decimal | float | int):
                raise template.TemplateSyntaxError(
                    f"{self.countervar!r} argument to {tag_name!r} tag must be a number."
                )
            context[self.countervar] = count
            plural, plural_names = self.render_token_list(self.plural)
            if message_context:
                result = translation.npgettext(message_context, singular, plural, count)  # type: ignore[arg-type]
            else:
                result = translation.ngettext(singular, plural, count)  # type: ignore[arg-type]
            names.extend(plural_names)
        else:
            if message_context:
                result = translation.pgettext(message_context, singular)
            else:
                result = translation.gettext(singular)
        default_value = context.template.engine.string_if_invalid  # type: ignore[union-attr]

        def render_value(key: str) -> str:
            if key in context:
                value = context[key]
            else:
                value = default_value % key if "%s" in default_value else default_value
            return template.base.render_value_in_context(value, context)

        data = {name: render_value(name) for name in names}
        context.pop()
        try:
            result = formatting.interpolate(result, data)
        except (KeyError, ValueError):
            if nested:
                raise template.TemplateSyntaxError(
                    f"{tag_name!r} is unable to format string returned by gettext: "
                    f"{result!r} using {data!r}"
                ) from None
            with translation.override(None):
                result = self.render(context, nested=True)
        if self.asvar:
            context[self.asvar] = SafeString(result)
            return ""
        return result


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_eliding_block_translate(parser: Parser, token: Token) -> Any:
    node = do_block_translate(parser, token)
    node.__class__ = ElidingBlockTranslateNode
    return node
