"""The base every calculator form shares: the query string in, an engine result out.

Field names are the public query parameters. A missing parameter takes the field's initial
value, so any subset of parameters is a valid permalink; QueryDict.get keeps the last of
repeated values.
"""

from dataclasses import asdict
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import DeclarativeFieldsMetaclass

from .errors import InputError
from .fields import plain_number
from .querystrings import query


class SharedFields(dict):
    """Django deep-copies a form's fields for every instance, which costs more than most of
    our calculations. Our fields are never mutated per request, so a shallow copy is safe."""

    def __deepcopy__(self, memo):
        return dict(self)


class BoundFieldAttribute:
    """`form.name` for a field, as templates write it: form["name"] without the detour.
    Jinja2 reads `form.name` as an attribute first, which on a Django form raises an
    AttributeError (caught) before it tries form["name"]: 3.6 µs against 0.5 µs a lookup
    (timeit), and a page looks up every field."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, form, owner=None):
        if form is None:
            return self
        try:
            return form[self.name]
        except KeyError:  # a subclass that dropped the field: no such attribute
            raise AttributeError(self.name) from None


class SharedFieldsMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        cls.base_fields = SharedFields(cls.base_fields)
        for field_name in cls.base_fields:
            if not hasattr(cls, field_name):  # a method or attribute of that name wins
                setattr(cls, field_name, BoundFieldAttribute(field_name))
        return cls


class CalculatorForm(forms.Form, metaclass=SharedFieldsMetaclass):
    """A tool's inputs, its engine call and what its page shows, each declared in one place:

    - `compute(cleaned)` returns the engine's result (`clean()` calls it);
    - `sections` names the optional input groups: a group is open when any of its fields is off
      its default or in error (the `ui.section` macro reads `open_sections`);
    - `result_json()` is the JSON answer's `result`;
    - `extra_context()` is what the page and its live result print beyond `result` (charts,
      tables, links), built once per request by the view, so templates never call back in here;
    - `shared_values()` are the values a link to a related tool may carry;
    - `summary()` is one sentence with the answer, for search results and link unfurls;
    - `headline_answer()` is what its share image's headline reads;
    - `accepts_post` says the tool also takes a POSTed body (data too large for a URL);
    - `API_EXAMPLE`, a query for the API description's example answer when the defaults leave
      keys of the answer null.
    """

    sections: dict[str, tuple[str, ...]] = {}
    accepts_post: bool = False
    API_EXAMPLE: dict[str, str] | None = None

    def __init__(self, query=None):
        query = query if query is not None else {}
        data = {}
        for name, default in self.field_defaults().items():
            if name in query:
                data[name] = query.get(name)
            elif default is not None:
                data[name] = default
        super().__init__(data)
        self.result = None

    @classmethod
    def field_defaults(cls) -> dict[str, str | None]:
        """Each field's initial value as the query would write it (None: no initial), and
        whether a clean_<name> hook refines it: the same for every request, since the fields
        are shared and never changed (SharedFields), so worked out once per form class."""
        try:
            return cls.__dict__["_field_defaults"]
        except KeyError:
            pass
        cls._field_defaults = {
            name: None if field.initial is None else plain_number(field.initial)
            for name, field in cls.base_fields.items()
        }
        cls._clean_hooks = frozenset(
            name for name in cls.base_fields if hasattr(cls, f"clean_{name}")
        )
        return cls._field_defaults

    def _clean_fields(self):
        # Django's own loop builds a BoundField per field only to read the value back out of
        # the data; with twenty-odd fields on every keystroke that cost more than the checks.
        # Otherwise the same steps: the widget reads the value, the field cleans it, a
        # clean_<name> hook may refine it, and an error is filed under the field's name.
        # (Our fields are never disabled and never files, the two cases Django also handles.)
        # The hooks are looked up once per class (field_defaults): a missing attribute costs
        # Python an exception inside getattr, for each of twenty-odd fields on every request.
        self.field_defaults()
        hooks, shared = type(self)._clean_hooks, self.base_fields
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                self.cleaned_data[name] = field.clean(value)
                if name in hooks or name not in shared:
                    hook = getattr(self, f"clean_{name}", None)
                    if hook:
                        self.cleaned_data[name] = hook()
            except ValidationError as error:
                self.add_error(name, error)

    def compute(self, cleaned: dict):
        """Return the engine's result for valid, cleaned input."""
        raise NotImplementedError

    @cached_property
    def open_sections(self) -> frozenset[str]:
        """The optional input groups to show expanded (after validation)."""
        opened = set()
        for section, names in self.sections.items():
            for name in names:
                initial = self.fields[name].initial
                default = "" if initial is None else plain_number(initial)
                if name in self.errors or (self.data.get(name) or "").strip() != default:
                    opened.add(section)
                    break
        return frozenset(opened)

    def extra_context(self) -> dict:
        return {}

    def shared_values(self) -> dict:
        return self.inputs() if self.is_valid() else {}

    def summary(self) -> str:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.result = self.compute(cleaned)
            except InputError as error:
                self.add_error(error.field if error.field in self.fields else None, str(error))
        return cleaned

    def inputs(self) -> dict:
        """Every input after defaults, as plain JSON values (valid forms only)."""
        return {name: self.cleaned_data.get(name) for name in self.fields}

    def result_json(self) -> dict:
        return asdict(self.result)

    def headline_answer(self) -> dict:
        """What the tool's share headline reads (registry.Tool.headline; valid forms only): the
        JSON answer. Every page computes it for its image's alt text, so a tool whose JSON
        costs far more than its page gives the same keys from the page's own result instead,
        and a test checks that its headline comes out the same either way."""
        return self.result_json()

    def query_string(self, **overrides) -> str:
        """The canonical permalink query for these inputs (optional blanks left out)."""
        if not overrides:
            # A page asks for its own permalink several times (canonical link, share image,
            # pins), from a form that no longer changes once validated.
            if "_query_string" not in self.__dict__:
                self._query_string = self._query(self.inputs())
            return self._query_string
        return self._query({**self.inputs(), **overrides})

    @staticmethod
    def _query(values: dict) -> str:
        return query((k, plain_number(v)) for k, v in values.items() if v is not None)

    def errors_by_param(self) -> dict:
        errors = {name: list(messages) for name, messages in self.errors.items()}
        if "__all__" in errors:
            errors["inputs"] = errors.pop("__all__")
        return errors
