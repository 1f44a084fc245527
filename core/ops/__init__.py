"""Operations: what each computes, and the ways students get it wrong, declared once.

- :mod:`.functions` -- the numbers: activations with their derivatives, losses with their
  gradients (one small function each, the formula and the shapes in the docstring).
- :mod:`.record` -- :class:`Op` and :class:`Slip`: an operation's formula and its common
  mistakes as data, with message templates in English and Russian over the operation's slots
  (``{g}``, ``{z}``, ``{a}``, ``{out}``, ``{f}`` …), filled with the symbols of the place where a
  kind puts the operation (:meth:`nntutor.core.writer.Writer.apply`).
- :mod:`.activation` -- an activation's forward a = g(z), backward ∂L/∂z = ∂L/∂a ∘ g′(z), its
  derivative g′(z) entry by entry and softmax's Jacobian.
- :mod:`.linear` -- z = a·W + b (row layout) or W·a + b (column layout), its Jacobian and gradients.
- :mod:`.loss` -- the losses (from the output or from the logits), their reductions, the output
  and logit gradients.
- :mod:`.optimizer` -- every optimizer stage (descent, η/t decay, momentum, Nesterov, AdaGrad, the
  moving averages of RMSprop and Adam, bias correction, the adaptive step, Newton, coordinate
  descent), norms and clipping (the threshold read from a given).
- :mod:`.batchnorm`, :mod:`.dropout` -- batch normalisation's pieces and running statistics;
  dropout's mask, scaling and test time.
- :mod:`.conv` -- convolution (cross-correlation), its gradients, output sizes, pooling.
- :mod:`.rnn` -- the recurrent cell, its output and losses, backprop through time, Jacobian norms.
- :mod:`.stats` -- ridge fits, initialisation scales, the spread of a weighted sum.
- :mod:`.probe` -- L = Σ c∘y, the loss a lesson uses to send a given gradient back.
- :mod:`.shaped` -- an operation written for full shapes, placed on values stored as shown.

A kind that puts an activation's backward anywhere -- a dense net, a single layer, an RNN
through time -- gets every slip of it (tanh′ without the square, σ′ taken at the output, ReLU's
mask from the wrong sign …), so a mistake named in one lesson is named in all.
"""

from .functions import (
    ACTIVATION_NAMES, ACTIVATIONS, LEAKY_SLOPE, Activation, cross_entropy, cross_entropy_grad,
    cross_entropy_logits, leaky_relu, log_loss, log_loss_grad, log_loss_logits, logsumexp, make_activation,
    output_logit_grad, poisson_loss, poisson_loss_grad, poisson_loss_logits, sigmoid, softmax,
    softmax_activation, softmax_vjp, squared_loss, squared_loss_grad,
)

__all__ = [
    "ACTIVATION_NAMES", "ACTIVATIONS", "LEAKY_SLOPE", "Activation", "cross_entropy", "cross_entropy_grad",
    "cross_entropy_logits", "leaky_relu", "log_loss", "log_loss_grad", "log_loss_logits", "logsumexp",
    "make_activation", "output_logit_grad", "poisson_loss", "poisson_loss_grad", "poisson_loss_logits", "sigmoid",
    "softmax", "softmax_activation", "softmax_vjp", "squared_loss", "squared_loss_grad",
]
