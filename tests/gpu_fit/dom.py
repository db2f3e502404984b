"""What a browser builds from markup, for tests of markup that changed for the wire but not for
the reader: the elements in order, each with its attributes (in any order, as a browser keeps
them) and the text between them. Two markups with the same `dom` show the same page: the same
elements, classes, data-testids and text."""

from html.parser import HTMLParser


class _Events(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("start", tag, tuple(sorted(attrs))))
        self.events.append(("end", tag))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))


def dom(markup: str) -> list[tuple]:
    parser = _Events()
    parser.feed(markup)
    parser.close()
    return parser.events
