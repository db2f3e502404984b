"""What a share image says: the tool's headline answer, read from its JSON result.

Each tool declares one function, `headline(inputs, result) -> Headline`, registered with the
tool (`registry.Tool(headline=...)`). It reads the same two dicts the `format=json` answer
returns, so it depends only on the public contract and not on a template or an engine class.
The figures are drawn large, the inputs small, and the same words make the image's alt text.
"""

from dataclasses import dataclass

NO_BREAK = "\u00a0"


def unbroken(text: str) -> str:
    """Text the image never wraps inside: "71.68 GiB", "RTX 3090 24GB: 27"."""
    return text.replace(" ", NO_BREAK)


def lead(title: str) -> str:
    """The tool's title before its answer: "Silhouette Score Calculator: ", or a question
    ("What can an RTX 3090 24GB run? ") followed by its answer."""
    return f"{title} " if title.endswith("?") else f"{title}: "


@dataclass(frozen=True)
class Figure:
    value: str  # drawn large: "32", "4.19M", "6.00e-4"
    label: str  # under it: "accumulation steps"
    # Words the alt text adds after the value ("tokens per step (4,194,304)"); the label if empty.
    spoken: str = ""

    def words(self) -> str:
        return f"{self.value} {self.spoken or self.label}"


@dataclass(frozen=True)
class Headline:
    figures: tuple[Figure, ...]  # one to three, left to right
    # The key inputs, each a short phrase ("8 GPUs", "micro-batch 4"), drawn in small type.
    inputs: tuple[str, ...] = ()
    note: str = ""  # one sentence under the figures, when the figures need a qualifier

    def alt(self, title: str) -> str:
        """The answer in words: what a screen reader says instead of the picture."""
        text = lead(title) + "; ".join(f.words() for f in self.figures) + "."
        if self.note:
            text += f" {self.note}"
            text += "" if self.note.endswith(".") else "."
        if self.inputs:
            text += " For " + ", ".join(self.inputs) + "."
        return text.replace(NO_BREAK, " ")
