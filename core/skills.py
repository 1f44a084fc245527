"""Skills: what a step practises -- the operation that computes its quantity -- and how a student does.

A skill is an operation's forward or backward ("ReLU backward", "momentum update"): the
``op`` a kind placed at the step's quantity (:attr:`nntutor.core.graph.Quantity.op`). The
progress store keeps it with every attempt, so the record covers every lesson and every set
of numbers; a skill's score is the share of its steps answered right at the first try.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .i18n import Messages

#: How an operation reads as a skill. An operation not listed reads as its name, in words.
NAMES = Messages({
    "linear": {"en": "linear layer, forward", "ru": "линейный слой, прямой проход"},
    "linear_bias": {"en": "linear layer with bias, forward", "ru": "линейный слой со сдвигом, прямой проход"},
    "linear_jacobian": {"en": "Jacobian of a linear layer", "ru": "якобиан линейного слоя"},
    "linear_input_grad": {"en": "linear layer, backward to its input", "ru": "линейный слой, градиент по входу"},
    "linear_weight_grad": {"en": "linear layer, weight gradient", "ru": "линейный слой, градиент по весам"},
    "linear_bias_grad": {"en": "linear layer, bias gradient", "ru": "линейный слой, градиент по сдвигу"},
    "relu": {"en": "ReLU forward", "ru": "ReLU, прямой проход"},
    "relu_backward": {"en": "ReLU backward (the mask)", "ru": "ReLU, обратный проход (маска)"},
    "relu_derivative": {"en": "ReLU′", "ru": "ReLU′"},
    "sigmoid": {"en": "sigmoid forward", "ru": "сигмоида, прямой проход"},
    "sigmoid_backward": {"en": "sigmoid backward", "ru": "сигмоида, обратный проход"},
    "tanh": {"en": "tanh forward", "ru": "tanh, прямой проход"},
    "tanh_backward": {"en": "tanh backward", "ru": "tanh, обратный проход"},
    "softmax": {"en": "softmax forward", "ru": "softmax, прямой проход"},
    "softmax_backward": {"en": "softmax backward", "ru": "softmax, обратный проход"},
    "descent": {"en": "gradient-descent update", "ru": "шаг градиентного спуска"},
    "velocity": {"en": "momentum: the velocity", "ru": "импульс: скорость"},
    "velocity_step": {"en": "momentum update", "ru": "шаг с импульсом"},
    "look_ahead": {"en": "Nesterov look-ahead", "ru": "заглядывание вперёд (Нестеров)"},
    "moving_average": {"en": "moving average (RMSprop, Adam)", "ru": "скользящее среднее (RMSprop, Adam)"},
    "bias_correction": {"en": "Adam's bias correction", "ru": "поправка смещения в Adam"},
    "adaptive_step": {"en": "adaptive step (AdaGrad, RMSprop, Adam)", "ru": "адаптивный шаг (AdaGrad, RMSprop, Adam)"},
    "batch_mean": {"en": "batch norm: the mean", "ru": "батч-нормализация: среднее"},
    "batch_variance": {"en": "batch norm: the variance", "ru": "батч-нормализация: дисперсия"},
    "normalise": {"en": "batch norm: normalising", "ru": "батч-нормализация: нормирование"},
    "scale_shift": {"en": "batch norm: scale and shift", "ru": "батч-нормализация: масштаб и сдвиг"},
    "dropout": {"en": "dropout forward", "ru": "дропаут, прямой проход"},
    "dropout_backward": {"en": "dropout backward", "ru": "дропаут, обратный проход"},
})


def title(op: str, lang: str) -> str:
    """The skill's name in ``lang``: from :data:`NAMES`, else the operation's name in words."""
    if op in NAMES:
        return NAMES(op, lang)
    return op.replace("_", " ")


@dataclass(frozen=True)
class Skill:
    op: str
    right: int  # steps answered right at the first try
    tried: int  # steps tried
    lessons: tuple[str, ...]  # ids of the lessons that practise it

    @property
    def score(self) -> float:
        return self.right / self.tried if self.tried else 0.0


def practised_by(lessons: Iterable) -> dict[str, tuple[str, ...]]:
    """op -> the ids of the lessons (built ones) with a step that practises it, in course order."""
    out: dict[str, list[str]] = {}
    for lesson in lessons:
        for step in lesson.steps:
            op = lesson.problem.quantities[step.quantity].op
            if op and lesson.id not in out.setdefault(op, []):
                out[op].append(lesson.id)
    return {op: tuple(ids) for op, ids in out.items()}


def table(record: Mapping[str, tuple[int, int]], practice: Mapping[str, tuple[str, ...]]) -> list[Skill]:
    """Every skill tried, weakest first (lowest share right at the first try; more tries first on a tie)."""
    skills = [Skill(op, right, tried, practice.get(op, ())) for op, (right, tried) in record.items() if tried]
    return sorted(skills, key=lambda s: (s.score, -s.tried, s.op))
