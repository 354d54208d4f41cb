"""Forms of the web UI: the upload form, the browsing switch, the search parameters, the review
queue's filter."""

from django import forms

from library.queue import Order, QueueFilter
from search.backends.base import MAX_PAGE_SIZE
from search.errors import QueryError
from search.limits import bounded
from search.types import SearchQuery
from taxonomy.models import Taxonomy

SEARCH_PAGE_SIZE = 20
MAX_ID = 2**63 - 1  # the largest key a database holds (BigAutoField); a larger id would overflow
OFF = {"", "0", "false", "off", "no"}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="JSON Lines or array, CSV/TSV, BibTeX, RIS, JATS XML, PDF, or a ZIP/tar of these; gzip or plain",
    )
    corpus = forms.CharField(label="Corpus name", max_length=200, help_text="A new name creates a corpus")
    taxonomy = forms.ModelChoiceField(
        label="Taxonomy",
        queryset=Taxonomy.objects.all(),
        required=False,
        empty_label="— the corpus's own (existing corpus) —",
    )


class Switch(forms.CheckboxInput):
    """A checkbox whose "0" and "false" in a link mean off, as they do in the API's parameters."""

    def value_from_datadict(self, data, files, name: str) -> bool:
        return str(data.get(name, "")).strip().lower() not in OFF


class BrowseForm(forms.Form):
    """What the tree, node and search pages count: accepted subjects, or suggestions too."""

    suggested = forms.BooleanField(label="Include suggestions", required=False, widget=Switch)

    def include_suggestions(self) -> bool:
        """Whether suggestions awaiting review count too (the form is always valid)."""
        return self.is_valid() and self.cleaned_data["suggested"]


class SearchForm(BrowseForm):
    q = forms.CharField(label="Search", required=False)
    node = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    corpus = forms.CharField(required=False, max_length=200)
    taxonomy = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    page = forms.IntegerField(required=False, min_value=1)
    size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def clean(self) -> dict:
        """The fields, and the search's bounds (``search.limits``) as errors on the field at fault."""
        data = super().clean()
        if not self.errors:
            try:
                bounded(self.to_query())
            except QueryError as error:
                self.add_error(error.field if error.field in self.fields else None, error.reason)
        return data

    def to_query(self) -> SearchQuery:
        """The search the cleaned form asks for (call after ``is_valid``)."""
        data = self.cleaned_data
        return SearchQuery(
            text=data.get("q") or "",
            nodes=tuple(dict.fromkeys(code for code in data.get("node") or () if code)),
            corpus=data.get("corpus") or None,
            taxonomy_id=data.get("taxonomy"),
            suggested=data.get("suggested", False),
            page=data.get("page") or 1,
            size=data.get("size") or SEARCH_PAGE_SIZE,
        )


class ReviewFilterForm(forms.Form):
    corpus = forms.CharField(required=False, max_length=200)
    taxonomy = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    node = forms.CharField(label="Subject code", required=False, max_length=200)
    min_score = forms.FloatField(label="Score from", required=False, min_value=-1, max_value=1)
    max_score = forms.FloatField(label="to", required=False, min_value=-1, max_value=1)
    order = forms.ChoiceField(label="Order", required=False, choices=Order.choices)

    def filters(self) -> QueueFilter:
        """The queue filter the cleaned form asks for (call after ``is_valid``)."""
        data = self.cleaned_data
        return QueueFilter(
            corpus=data.get("corpus") or None,
            taxonomy=data.get("taxonomy"),
            node=data.get("node") or None,
            min_score=data.get("min_score"),
            max_score=data.get("max_score"),
        )

    def queue_order(self) -> str:
        """The order asked for: most useful first unless told otherwise."""
        return self.cleaned_data.get("order") or Order.USEFUL


class BulkAcceptForm(ReviewFilterForm):
    """A filter's waiting suggestions to accept, and how many the librarian saw and confirms."""

    count = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID)

    def clean_node(self) -> str:
        if not self.cleaned_data.get("node"):
            raise forms.ValidationError("Choose a subject: suggestions are accepted one subject at a time.")
        return self.cleaned_data["node"]


class CorrectionForm(forms.Form):
    node = forms.CharField(label="Subject code", max_length=200)
