"""Greedy placement of data labels, in points inside the axes: pure geometry."""

from __future__ import annotations

__all__ = ["Box", "Placer"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points
Point = tuple[float, float]


def _seg_hits(b: Box, p: Point, q: Point) -> bool:
    """Whether segment pq crosses box b (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = b
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return True


def _overlap(a: Box, b: Box, gap: float = 1.5) -> bool:
    """Boxes closer than ``gap`` points count as touching."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


class Placer:
    """Label boxes placed so far in axes ``width`` × ``height`` points, and what they
    must avoid: no label may cover another label or a data point; crossing a line
    or a bar is tolerated but avoided."""

    HARD = 100.0

    def __init__(self, width: float, height: float):
        self.w, self.h = width, height
        self.labels: list[Box] = []
        self.marks: list[Box] = []  # data points
        self.bars: list[Box] = []
        self.segs: list[tuple[Point, Point]] = []  # line segments

    def cost(self, b: Box) -> float:
        """How badly box ``b`` collides; HARD or more means unreadable."""
        c = 0.0
        if b[1] < -1 or b[3] > self.h + 1:
            c += self.HARD
        c += self.HARD * sum(_overlap(b, o) for o in self.labels)
        c += self.HARD / 2 * sum(_overlap(b, o) for o in self.marks)
        c += 4 * sum(_seg_hits(b, p, q) for p, q in self.segs)
        c += 2 * sum(_overlap(b, o, 0.0) for o in self.bars)
        return c

    def choose(self, boxes: list[Box], force: bool = False) -> int | None:
        """Index of the cheapest box (earlier ones win ties), now taken; None if all
        collide, unless ``force``."""
        costs = [self.cost(b) + 0.5 * k for k, b in enumerate(boxes)]
        k = min(range(len(boxes)), key=costs.__getitem__)
        if costs[k] >= self.HARD and not force:
            return None
        self.labels.append(boxes[k])
        return k
