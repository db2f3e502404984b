from django import template

from ..kit.numbers import FILTERS

register = template.Library()
for _name, _filter in FILTERS.items():
    register.filter(_name, _filter)
