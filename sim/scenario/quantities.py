"""Numbers in a scenario: a constant or a distribution, each with an optional source.

In YAML a quantity is a bare number, ``{value: 0.75, source: ...}``, or a distribution such as
``{dist: uniform, low: 0.5, high: 0.9, source: "assumption: ..."}``. numpy and scipy are imported only when a
number is drawn, so that loading and checking a scenario stay quick.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema

from sim.registry.distributions import DISTRIBUTIONS

if TYPE_CHECKING:
    import numpy as np

Finite = Annotated[float, Field(allow_inf_nan=False)]
SOURCE_PREFIXES = ("line N:", "fact:", "assumption:", "variant:", "default:")
"""How a source begins: a quoted line of the scenario's document, a public fact, an assumption, a variant's
what-if, or the toolkit's default."""


def _stats() -> Any:
    """scipy.stats, imported when a distribution is first evaluated (it is slow to import)."""
    from scipy import stats

    return stats


_SOURCE = re.compile(r"^(line \d+:|fact:|assumption:|variant:|default:)")
_EDGE = 1e-12


class QuantityBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = Field(
        default=None,
        description='Where the number comes from: "line N: <quote>", "assumption: <reason>", '
        '"fact: <public source>" or "variant: <what the variant changes>".',
    )

    @field_validator("source")
    @classmethod
    def _known_prefix(cls, source: str | None) -> str | None:
        if source is not None and not _SOURCE.match(source):
            raise ValueError(f"a source begins with {', '.join(SOURCE_PREFIXES[:-1])} or {SOURCE_PREFIXES[-1]}")
        return source

    @property
    def uncertain(self) -> bool:
        """True when the quantity is drawn at random."""
        return True

    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take."""
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The values at cumulative probabilities ``u`` in [0, 1) (the inverse distribution function)."""
        raise NotImplementedError

    def central(self) -> float:
        """A single representative value (the mean, or the constant)."""
        raise NotImplementedError

    def whole(self) -> bool:
        """True when every value a draw can take is a whole number."""
        return False


class Fixed(QuantityBase):
    """A constant."""

    value: Finite

    @property
    def uncertain(self) -> bool:
        return False

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.full(np.shape(u), self.value)

    def central(self) -> float:
        return self.value

    def whole(self) -> bool:
        return self.value.is_integer()


class _Bounded(QuantityBase):
    """A distribution on ``[low, high]``."""

    if TYPE_CHECKING:
        dist: str
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> _Bounded:
        if not self.low < self.high:
            raise ValueError(f"{self.dist} needs low < high, got low={self.low}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Uniform(_Bounded):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return self.low + (self.high - self.low) * np.asarray(u)

    def central(self) -> float:
        return (self.low + self.high) / 2


class Triangular(_Bounded):
    """Triangular between ``low`` and ``high`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    mode: Finite

    @model_validator(mode="after")
    def _mode_inside(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"triangular needs low <= mode <= high, got low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        return _stats().triang.ppf(u, (self.mode - self.low) / width, loc=self.low, scale=width)

    def central(self) -> float:
        return (self.low + self.mode + self.high) / 3


class TruncatedNormal(_Bounded):
    """Normal with ``mean`` and ``sd``, cut to ``[low, high]``."""

    dist: Literal["truncated_normal"]
    mean: Finite
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _mass_inside(self) -> TruncatedNormal:
        a, b = self._standard_bounds()
        if _stats().norm.cdf(b) - _stats().norm.cdf(a) < 1e-9:
            raise ValueError(
                f"truncated_normal puts almost no mass in [{self.low}, {self.high}] with mean={self.mean}, sd={self.sd}"
            )
        return self

    def _standard_bounds(self) -> tuple[float, float]:
        return ((self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        a, b = self._standard_bounds()
        return np.clip(_stats().truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd), self.low, self.high)

    def central(self) -> float:
        a, b = self._standard_bounds()
        return float(_stats().truncnorm.mean(a, b, loc=self.mean, scale=self.sd))


class Normal(QuantityBase):
    """Normal with ``mean`` and ``sd``, cut to ``[low, high]`` when given; a bound left out is the range of
    the number's key (``[0, 1]`` for a probability, the issue's scale for a position), if it has one."""

    dist: Literal["normal"]
    mean: Finite
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    low: Finite | None = None
    high: Finite | None = None

    @model_validator(mode="after")
    def _mass_inside(self) -> Normal:
        a, b = self._standard_bounds()
        if not a < b or _stats().norm.cdf(b) - _stats().norm.cdf(a) < 1e-9:
            raise ValueError(
                f"normal puts almost no mass in [{self.low}, {self.high}] with mean={self.mean}, sd={self.sd}"
            )
        return self

    def _standard_bounds(self) -> tuple[float, float]:
        low, high = self.support()
        return ((low - self.mean) / self.sd, (high - self.mean) / self.sd)

    def cut_to(self, low: float, high: float) -> Normal:
        """This normal with a missing bound set to the range of its key (finite ends only)."""
        update = {k: v for k, v in (("low", low), ("high", high)) if getattr(self, k) is None and math.isfinite(v)}
        return self.model_copy(update=update) if update else self

    def support(self) -> tuple[float, float]:
        return (-math.inf if self.low is None else self.low, math.inf if self.high is None else self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        a, b = self._standard_bounds()
        values = _stats().truncnorm.ppf(np.clip(u, _EDGE, 1 - _EDGE), a, b, loc=self.mean, scale=self.sd)
        return np.clip(values, *self.support())

    def central(self) -> float:
        a, b = self._standard_bounds()
        return float(_stats().truncnorm.mean(a, b, loc=self.mean, scale=self.sd))


class LogNormal(QuantityBase):
    """Log-normal: ``median`` times ``exp(sigma * Z)`` with Z standard normal (positive, skewed right)."""

    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    sigma: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)]

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return self.median * np.exp(self.sigma * _stats().norm.ppf(np.clip(u, _EDGE, 1 - _EDGE)))

    def central(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)


class Pert(_Bounded):
    """PERT: a beta distribution on ``[low, high]`` peaking at ``mode``, its spread set by ``shape`` (4 by
    convention; more concentrates it at the mode). Mean ``(low + shape * mode + high) / (shape + 2)``."""

    dist: Literal["pert"]
    mode: Finite
    shape: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 4.0

    @model_validator(mode="after")
    def _mode_inside(self) -> Pert:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"pert needs low <= mode <= high, got low={self.low}, mode={self.mode}, high={self.high}")
        return self

    def _beta(self) -> tuple[float, float]:
        width = self.high - self.low
        return (1 + self.shape * (self.mode - self.low) / width, 1 + self.shape * (self.high - self.mode) / width)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * _stats().beta.ppf(u, *self._beta())

    def central(self) -> float:
        return (self.low + self.shape * self.mode + self.high) / (self.shape + 2)


class IntegerUniform(_Bounded):
    """Each whole number from ``low`` to ``high`` (both included) equally likely."""

    dist: Literal["integer_uniform"]
    low: int
    high: int

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        count = self.high - self.low + 1
        return (self.low + np.minimum(np.floor(np.asarray(u) * count), count - 1)).astype(float)

    def central(self) -> float:
        return (self.low + self.high) / 2

    def whole(self) -> bool:
        return True


class Beta(_Bounded):
    """Beta(a, b) stretched onto ``[low, high]`` (default ``[0, 1]``)."""

    dist: Literal["beta"]
    a: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    b: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    low: Finite = 0.0
    high: Finite = 1.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * _stats().beta.ppf(u, self.a, self.b)

    def central(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


class Choice(QuantityBase):
    """One of ``values``, with probabilities proportional to ``weights`` (equal by default)."""

    dist: Literal["choice"]
    values: Annotated[list[Finite], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"choice has {len(self.values)} values but {len(self.weights)} weights")
            if sum(self.weights) <= 0:
                raise ValueError("choice weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        import numpy as np

        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return w / w.sum()

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The values in increasing order, so that a higher ``u`` never gives a smaller value."""
        import numpy as np

        order = np.argsort(self.values, kind="stable")
        cumulative = np.cumsum(self._probabilities()[order])
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
        return np.asarray(self.values, float)[order][index]

    def central(self) -> float:
        import numpy as np

        return float(np.dot(self.values, self._probabilities()))

    def whole(self) -> bool:
        return all(value.is_integer() for value in self.values)


def quantity_tag(data: Any) -> str | None:
    """How a number is written: ``number``, ``fixed`` (``{value: ...}``) or its distribution's name; None if neither."""
    if isinstance(data, bool):
        return None
    if isinstance(data, (int, float)):
        return "number"
    if isinstance(data, dict):
        if "dist" in data:
            return data["dist"] if isinstance(data["dist"], str) else None
        return "fixed"
    if isinstance(data, QuantityBase):
        return "fixed" if isinstance(data, Fixed) else getattr(data, "dist", None)
    return None


def _number_to_fixed(value: float) -> Fixed:
    return Fixed(value=value)


NumberAsFixed = Annotated[Finite, AfterValidator(_number_to_fixed)]


@cache
def _tagged_quantity(names: tuple[str, ...]) -> Any:
    """A number or a distribution named in ``names``, told apart by :func:`quantity_tag`."""
    members = [Annotated[NumberAsFixed, Tag("number")], Annotated[Fixed, Tag("fixed")]]
    members += [Annotated[DISTRIBUTIONS[name], Tag(name)] for name in names]
    return Annotated[
        Union[tuple(members)],  # noqa: UP007 (a union built from a tuple)
        Discriminator(
            quantity_tag,
            custom_error_type="quantity",
            custom_error_message=(
                "expected a number, {value: ..., source: ...}, or a distribution {dist: " + "|".join(names) + ", ...}"
            ),
        ),
    ]


class _RegisteredDistributions:
    """Pydantic's view of a scenario number: a constant or any distribution registered when the model is built."""

    def __get_pydantic_core_schema__(self, _source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler.generate_schema(_tagged_quantity(DISTRIBUTIONS.names()))


if TYPE_CHECKING:
    Quantity = QuantityBase
else:
    Quantity = Annotated[QuantityBase, _RegisteredDistributions()]
"""A scenario number: a constant or a distribution (see the module docstring); to a type checker, a QuantityBase."""


def within(low: float = -math.inf, high: float = math.inf):
    """A validator that every value a quantity can take lies in ``[low, high]``."""

    def check(quantity: QuantityBase) -> QuantityBase:
        if isinstance(quantity, Normal):
            quantity = quantity.cut_to(low, high)
        lo, hi = quantity.support()
        if lo < low or hi > high:
            raise ValueError(f"values must lie in [{low:g}, {high:g}], but this can take [{lo:g}, {hi:g}]")
        return quantity

    return AfterValidator(check)


def whole_numbers():
    """A validator that every value a quantity can take is a whole number (a round, a count)."""

    def check(quantity: QuantityBase) -> QuantityBase:
        if not quantity.whole():
            raise ValueError(
                "must be a whole number: a whole constant, an integer_uniform or a choice of whole numbers"
            )
        return quantity

    return AfterValidator(check)


def value_range(value: QuantityBase | float) -> tuple[float, float]:
    """The smallest and largest value a quantity can take (a plain number is both)."""
    return value.support() if isinstance(value, QuantityBase) else (value, value)


def bounds_problem(
    lower: QuantityBase | float | None,
    upper: QuantityBase | float | None,
    names: tuple[str, str] = ("at_least", "at_most"),
) -> str | None:
    """What is wrong with a lower and an upper bound (named ``names``), if anything: neither given, or the lower
    above the upper whatever is drawn. Drawn bounds that cross only in some draws are not refused."""
    if lower is None and upper is None:
        return f"give {names[0]}, {names[1]} or both"
    if lower is None or upper is None:
        return None
    least, most = value_range(lower)[0], value_range(upper)[1]
    if least <= most:
        return None
    if value_range(lower)[1] == least and value_range(upper)[0] == most:
        return f"{names[0]} ({least:g}) is above {names[1]} ({most:g}): no value meets both"
    return (
        f"{names[0]} is above {names[1]} whatever is drawn ({names[0]} >= {least:g} > {most:g} >= {names[1]}): "
        "no value meets both"
    )


def bounds_meet(lower: str = "at_least", upper: str = "at_most") -> Any:
    """A model validator refusing a model whose ``lower`` and ``upper`` bounds cannot meet (:func:`bounds_problem`)."""

    def check(model: Any) -> Any:
        problem = bounds_problem(getattr(model, lower), getattr(model, upper), (lower, upper))
        if problem:
            raise ValueError(problem)
        return model

    return model_validator(mode="after")(check)


Probability = Annotated[Quantity, within(0.0, 1.0)]
NonNegative = Annotated[Quantity, within(0.0)]
