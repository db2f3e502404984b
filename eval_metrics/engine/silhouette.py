"""Silhouette widths (Rousseeuw 1987): s = (b − a) / max(a, b).

a is a point's mean distance to the other members of its cluster, b the smallest mean distance
to the members of another cluster. A point alone in its cluster gets s = 0 (Rousseeuw's
convention, kept by scikit-learn and R's cluster package), and the statistic needs
2 ≤ clusters ≤ n − 1. Distances are Euclidean in the plane.
"""

import math
from dataclasses import dataclass

from calculators.kit.errors import InputError

from .common import mean, require_same_length

# Every point needs its distance to every other: n²/2 distances in plain Python, so the cap is
# lower than other lists' (2,000 points are two million distances, about a quarter second).
MAX_POINTS = 2_000


@dataclass(frozen=True)
class PointSilhouette:
    a: float
    b: float
    silhouette: float


@dataclass(frozen=True)
class ClusteredPoint:
    index: int  # 0-based position in the input
    x: float
    y: float
    label: int
    a: float
    b: float
    silhouette: float
    nearest_label: int  # the other cluster that gave b


@dataclass(frozen=True)
class ClusterSummary:
    label: int
    size: int
    mean_silhouette: float


@dataclass(frozen=True)
class ClusteringSilhouette:
    points: tuple[ClusteredPoint, ...]  # input order
    clusters: tuple[ClusterSummary, ...]  # by label
    silhouette: float  # mean over all points, scikit-learn's silhouette_score
    negative: int  # points closer, on average, to another cluster than to their own


def silhouette_width(a: float, b: float) -> float:
    """(b − a) / max(a, b); 0 when a = b = 0 (identical points in both clusters)."""
    largest = max(a, b)
    return (b - a) / largest if largest > 0 else 0.0


def one_point(a: float, b: float) -> PointSilhouette:
    for name, value in (("a", a), ("b", b)):
        if value < 0:
            raise InputError(name, f"{name} is a mean distance and cannot be negative.")
    return PointSilhouette(a, b, silhouette_width(a, b))


def distance_sums(x, y, labels, cluster_labels) -> list[dict[int, float]]:
    """For each point, the sum of its distances to each cluster's members (itself excluded)."""
    n = len(x)
    sums = [dict.fromkeys(cluster_labels, 0.0) for _ in range(n)]
    for i in range(n):
        xi, yi, li, row = x[i], y[i], labels[i], sums[i]
        for j in range(i + 1, n):
            d = math.hypot(xi - x[j], yi - y[j])
            row[labels[j]] += d
            sums[j][li] += d
    return sums


def clustering(
    x: tuple[float, ...], y: tuple[float, ...], labels: tuple[int, ...]
) -> ClusteringSilhouette:
    require_same_length("x", x, "y", y)
    require_same_length("x", x, "labels", labels)
    n = len(x)
    if n > MAX_POINTS:
        raise InputError("x", f"At most {MAX_POINTS:,} points: every pair's distance is needed.")
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    if not 2 <= len(members) <= n - 1:
        raise InputError(
            "labels",
            f"labels name {len(members):,} cluster{'s' if len(members) != 1 else ''} for {n:,} "
            f"points; the silhouette needs at least 2 clusters and fewer clusters than points "
            f"(here 2 to {max(n - 1, 2):,}).",
        )
    sums = distance_sums(x, y, labels, list(members))
    points = []
    for i in range(n):
        own = labels[i]
        own_size = len(members[own])
        others = {k: sums[i][k] / len(idx) for k, idx in members.items() if k != own}
        nearest = min(others, key=lambda k: (others[k], k))
        b = others[nearest]
        if own_size == 1:
            a, s = 0.0, 0.0
        else:
            a = sums[i][own] / (own_size - 1)
            s = silhouette_width(a, b)
        points.append(ClusteredPoint(i, x[i], y[i], own, a, b, s, nearest))
    clusters = tuple(
        ClusterSummary(label, len(idx), mean([points[i].silhouette for i in idx]))
        for label, idx in sorted(members.items())
    )
    return ClusteringSilhouette(
        points=tuple(points),
        clusters=clusters,
        silhouette=mean([p.silhouette for p in points]),
        negative=sum(1 for p in points if p.silhouette < 0),
    )
