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
    # layers and activations
    "linear": {"en": "linear layer, forward", "ru": "линейный слой, прямой проход"},
    "linear_jacobian": {"en": "Jacobian of a linear layer", "ru": "якобиан линейного слоя"},
    "linear_input_grad": {"en": "linear layer, gradient to its input", "ru": "линейный слой, градиент по входу"},
    "linear_weight_grad": {"en": "linear layer, weight gradient", "ru": "линейный слой, градиент по весам"},
    "linear_bias_grad": {"en": "linear layer, bias gradient", "ru": "линейный слой, градиент по сдвигу"},
    "identity": {"en": "linear output", "ru": "линейный выход"},
    "identity_backward": {"en": "linear output, backward", "ru": "линейный выход, обратный проход"},
    "relu": {"en": "ReLU forward", "ru": "ReLU, прямой проход"},
    "relu_backward": {"en": "ReLU backward (the mask)", "ru": "ReLU, обратный проход (маска)"},
    "relu_derivative": {"en": "ReLU′", "ru": "ReLU′"},
    "leaky_relu": {"en": "leaky ReLU forward", "ru": "leaky ReLU, прямой проход"},
    "leaky_relu_backward": {"en": "leaky ReLU backward", "ru": "leaky ReLU, обратный проход"},
    "sigmoid": {"en": "sigmoid forward", "ru": "сигмоида, прямой проход"},
    "sigmoid_backward": {"en": "sigmoid backward", "ru": "сигмоида, обратный проход"},
    "tanh": {"en": "tanh forward", "ru": "tanh, прямой проход"},
    "tanh_backward": {"en": "tanh backward", "ru": "tanh, обратный проход"},
    "softmax": {"en": "softmax forward", "ru": "softmax, прямой проход"},
    "softmax_backward": {"en": "softmax backward", "ru": "softmax, обратный проход"},
    "step": {"en": "step forward", "ru": "ступенька, прямой проход"},
    "step_backward": {"en": "step backward", "ru": "ступенька, обратный проход"},
    "step_derivative": {"en": "step′", "ru": "производная ступеньки"},
    "identity_derivative": {"en": "linear activation′", "ru": "производная линейной активации"},
    "identity_backward": {"en": "linear activation backward", "ru": "линейная активация, обратный проход"},
    "sigmoid_derivative": {"en": "σ′", "ru": "производная сигмоиды"},
    "tanh_derivative": {"en": "tanh′", "ru": "производная tanh"},
    "leaky_relu_derivative": {"en": "leaky ReLU′", "ru": "производная leaky ReLU"},
    "elu": {"en": "ELU forward", "ru": "ELU, прямой проход"},
    "elu_backward": {"en": "ELU backward", "ru": "ELU, обратный проход"},
    "elu_derivative": {"en": "ELU′", "ru": "производная ELU"},
    "selu": {"en": "SELU forward", "ru": "SELU, прямой проход"},
    "selu_backward": {"en": "SELU backward", "ru": "SELU, обратный проход"},
    "selu_derivative": {"en": "SELU′", "ru": "производная SELU"},
    "swish": {"en": "swish forward", "ru": "swish, прямой проход"},
    "swish_backward": {"en": "swish backward", "ru": "swish, обратный проход"},
    "swish_derivative": {"en": "swish′", "ru": "производная swish"},
    "gelu": {"en": "GELU forward", "ru": "GELU, прямой проход"},
    "gelu_backward": {"en": "GELU backward", "ru": "GELU, обратный проход"},
    "gelu_derivative": {"en": "GELU′", "ru": "производная GELU"},
    "softplus": {"en": "softplus forward", "ru": "softplus, прямой проход"},
    "softplus_backward": {"en": "softplus backward", "ru": "softplus, обратный проход"},
    "softplus_derivative": {"en": "softplus′", "ru": "производная softplus"},
    "softmax_jacobian": {"en": "Jacobian of a softmax", "ru": "якобиан softmax"},
    # losses
    "squared_loss": {"en": "squared loss", "ru": "квадратичные потери"},
    "squared_gradient": {"en": "gradient of the squared loss", "ru": "градиент квадратичных потерь"},
    "log_loss": {"en": "log-loss", "ru": "логистические потери"},
    "log_gradient": {"en": "gradient of the log-loss", "ru": "градиент логистических потерь"},
    "cross_entropy": {"en": "cross-entropy", "ru": "перекрёстная энтропия"},
    "cross_entropy_loss": {"en": "cross-entropy loss", "ru": "потери перекрёстной энтропии"},
    # optimizers
    "descent": {"en": "gradient-descent update", "ru": "шаг градиентного спуска"},
    "velocity": {"en": "momentum: the velocity", "ru": "импульс: скорость"},
    "velocity_step": {"en": "momentum update", "ru": "шаг с импульсом"},
    "look_ahead": {"en": "Nesterov look-ahead", "ru": "заглядывание вперёд (Нестеров)"},
    "moving_average": {"en": "moving average (RMSprop, Adam)", "ru": "скользящее среднее (RMSprop, Adam)"},
    "bias_correction": {"en": "Adam's bias correction", "ru": "поправка смещения в Adam"},
    "adaptive_step": {"en": "adaptive step (AdaGrad, RMSprop, Adam)", "ru": "адаптивный шаг (AdaGrad, RMSprop, Adam)"},
    "decayed_rate": {"en": "decaying step η/t", "ru": "уменьшающийся шаг η/t"},
    "decayed_descent": {"en": "gradient descent with a decaying step", "ru": "градиентный спуск с уменьшающимся шагом"},
    "newton_step": {"en": "Newton's step", "ru": "шаг метода Ньютона"},
    "coordinate_step": {"en": "coordinate descent step", "ru": "шаг покоординатного спуска"},
    "l2_gradient": {"en": "L2 penalty in the gradient", "ru": "L2-штраф в градиенте"},
    "decoupled_step": {"en": "AdamW step (decoupled weight decay)", "ru": "шаг AdamW (отделённое затухание весов)"},
    "antigradient": {"en": "residuals as the antigradient", "ru": "остатки как антиградиент"},
    "stump_fit": {"en": "a stump fitted to residuals", "ru": "пень, обученный на остатках"},
    "boost_shift": {"en": "gradient-boosting step", "ru": "шаг градиентного бустинга"},
    "norm": {"en": "gradient norm", "ru": "норма градиента"},
    "clip": {"en": "gradient clipping", "ru": "обрезка градиента"},
    # building blocks
    "batch_mean": {"en": "batch norm: the mean", "ru": "батч-нормализация: среднее"},
    "batch_variance": {"en": "batch norm: the variance", "ru": "батч-нормализация: дисперсия"},
    "bn_denominator": {"en": "batch norm: √(σ² + ε)", "ru": "батч-нормализация: √(σ² + ε)"},
    "normalise": {"en": "batch norm: normalising", "ru": "батч-нормализация: нормирование"},
    "scale_shift": {"en": "batch norm: scale and shift", "ru": "батч-нормализация: масштаб и сдвиг"},
    "bn_grad_beta": {"en": "batch norm backward: ∂L/∂β", "ru": "батч-нормализация назад: ∂L/∂β"},
    "bn_grad_gamma": {"en": "batch norm backward: ∂L/∂γ", "ru": "батч-нормализация назад: ∂L/∂γ"},
    "bn_grad_x_hat": {"en": "batch norm backward: ∂L/∂x̂", "ru": "батч-нормализация назад: ∂L/∂x̂"},
    "bn_grad_var": {"en": "batch norm backward: ∂L/∂σ²", "ru": "батч-нормализация назад: ∂L/∂σ²"},
    "bn_grad_mu": {"en": "batch norm backward: ∂L/∂μ", "ru": "батч-нормализация назад: ∂L/∂μ"},
    "bn_grad_x": {"en": "batch norm backward: ∂L/∂x", "ru": "батч-нормализация назад: ∂L/∂x"},
    "running_average": {"en": "batch norm: running mean", "ru": "батч-нормализация: скользящее среднее"},
    "running_variance": {"en": "batch norm: running variance", "ru": "батч-нормализация: скользящая дисперсия"},
    "bn_evaluate": {"en": "batch norm at test time", "ru": "батч-нормализация на этапе применения модели модели"},
    "dropout": {"en": "dropout forward", "ru": "дропаут, прямой проход"},
    "dropout_backward": {"en": "dropout backward", "ru": "дропаут, обратный проход"},
    "dropout_test": {"en": "dropout at test time", "ru": "дропаут на этапе применения модели модели"},
    "dropout_mean": {"en": "dropout: the mean of a unit's output", "ru": "дропаут: среднее выхода нейрона"},
    "dropout_variance": {"en": "dropout: the variance of a unit's output", "ru": "дропаут: дисперсия выхода нейрона"},
    "exp": {"en": "exponential output (a rate)", "ru": "экспоненциальный выход (интенсивность)"},
    "scaled_sigmoid": {"en": "bounded output s·σ(z)", "ru": "ограниченный выход s·σ(z)"},
    "poisson_loss": {"en": "Poisson loss", "ru": "пуассоновская функция потерь"},
    "weighted_squared_loss": {"en": "weighted squared loss", "ru": "взвешенные квадратичные потери"},
    "weighted_squared_gradient": {"en": "gradient of a weighted squared loss",
                                  "ru": "градиент взвешенных квадратичных потерь"},
    "weighted_log_loss": {"en": "weighted log-loss", "ru": "взвешенные логистические потери"},
    "weighted_log_loss_logits": {"en": "weighted log-loss from the logits",
                                 "ru": "взвешенные логистические потери по логитам"},
    "weighted_log_gradient": {"en": "gradient of a weighted log-loss", "ru": "градиент взвешенных логистических потерь"},
    "weighted_logit_gradient": {"en": "weighted log-loss: gradient at the logit",
                                "ru": "взвешенные логистические потери: градиент по логиту"},
    "lecun_uniform": {"en": "LeCun initialisation (uniform)", "ru": "инициализация ЛеКуна (равномерная)"},
    "lecun_std": {"en": "LeCun initialisation (normal)", "ru": "инициализация ЛеКуна (нормальная)"},
    "xavier_uniform": {"en": "Xavier initialisation (uniform)", "ru": "инициализация Ксавье (равномерная)"},
    "xavier_std": {"en": "Xavier initialisation (normal)", "ru": "инициализация Ксавье (нормальная)"},
    "he_std": {"en": "He initialisation", "ru": "инициализация Хе"},
    "weighted_sum_std": {"en": "spread of a weighted sum", "ru": "разброс взвешенной суммы"},
    "relu_zero": {"en": "chance a ReLU outputs 0", "ru": "вероятность нуля на выходе ReLU"},
    "ridge_fit": {"en": "ridge regression fit", "ru": "гребневая регрессия"},
    # convolutions
    "convolution": {"en": "convolution forward", "ru": "свёртка, прямой проход"},
    "kernel_grad": {"en": "convolution: kernel gradient", "ru": "свёртка: градиент по ядру"},
    "input_grad": {"en": "convolution: gradient to the input", "ru": "свёртка: градиент по входу"},
    "bias_grad": {"en": "convolution: bias gradient", "ru": "свёртка: градиент по сдвигу"},
    "max_pool": {"en": "max pooling", "ru": "макс-пулинг"},
    "max_pool_grad": {"en": "max pooling backward", "ru": "макс-пулинг, обратный проход"},
    "avg_pool": {"en": "average pooling", "ru": "усредняющий пулинг"},
    "avg_pool_grad": {"en": "average pooling backward", "ru": "усредняющий пулинг, обратный проход"},
    "output_size": {"en": "output size (padding, stride)", "ru": "размер выхода (паддинг, шаг)"},
    "weight_count": {"en": "counting weights", "ru": "подсчёт весов"},
    "parameter_count": {"en": "counting parameters", "ru": "подсчёт параметров"},
    "dilate": {"en": "dilating a kernel", "ru": "расширение (dilation) ядра"},
    "depthwise_window": {"en": "depthwise convolution, one window", "ru": "depthwise-свёртка, одно окно"},
    "pointwise_mix": {"en": "pointwise (1×1) convolution", "ru": "поточечная свёртка (1×1)"},
    "separable_full_kernel": {"en": "separable as a full kernel", "ru": "разделимая свёртка как обычное ядро"},
    # recurrent nets and graphs
    "rnn_cell": {"en": "RNN cell forward", "ru": "ячейка RNN, прямой проход"},
    "rnn_state_grad": {"en": "RNN: gradient to a state", "ru": "RNN: градиент по состоянию"},
    "rnn_output": {"en": "RNN output scores", "ru": "выходные оценки RNN"},
    "shared_weight_grad": {"en": "RNN: gradient of a shared weight", "ru": "RNN: градиент общего веса"},
    "tanh_local_derivative": {"en": "local derivative through tanh", "ru": "локальная производная через tanh"},
    "sum_of_products": {"en": "sum over paths (chain rule)", "ru": "сумма по путям (цепное правило)"},
    "jacobian_norm": {"en": "Jacobian norm", "ru": "норма якобиана"},
    "jacobian_norms": {"en": "Jacobian norms across time", "ru": "нормы якобианов по времени"},
    "embedding": {"en": "embedding of a one-hot token", "ru": "представление (эмбеддинг) токена"},
    "true_probability": {"en": "probability of the true class", "ru": "вероятность верного класса"},
    "step_cross_entropy": {"en": "cross-entropy of one step", "ru": "перекрёстная энтропия одного шага"},
    "step_log_loss": {"en": "log-loss of one step", "ru": "логистические потери одного шага"},
    "steps_total": {"en": "loss over the steps", "ru": "потери по всем шагам"},
    "sequence_probability": {"en": "probability of a sequence (chain rule)",
                             "ru": "вероятность последовательности (цепное правило)"},
    "sigmoid_log_loss_grad": {"en": "sigmoid and log-loss: gradient to the logit",
                              "ru": "сигмоида и логистические потери: градиент по логиту"},
    "step_contribution": {"en": "RNN: one step's term of a weight gradient", "ru": "RNN: вклад шага в градиент веса"},
    "contributions_sum": {"en": "RNN: summing the steps' terms", "ru": "RNN: сумма вкладов шагов"},
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
            if step.is_choice:
                continue
            op = lesson.problem.quantities[step.quantity].op
            if op and lesson.id not in out.setdefault(op, []):
                out[op].append(lesson.id)
    return {op: tuple(ids) for op, ids in out.items()}


def table(record: Mapping[str, tuple[int, int]], practice: Mapping[str, tuple[str, ...]]) -> list[Skill]:
    """Every skill tried, weakest first (lowest share right at the first try; more tries first on a tie)."""
    skills = [Skill(op, right, tried, practice.get(op, ())) for op, (right, tried) in record.items() if tried]
    return sorted(skills, key=lambda s: (s.score, -s.tried, s.op))
