"""Interface strings of the TUI, in English and Russian (lesson text lives in the lessons)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "home_title": {"en": "nntutor — neural-network math by hand", "ru": "nntutor — математика нейросетей вручную"},
    "home_help": {"en": "↑↓ choose a lesson · Enter open · ? keys · Ctrl+P commands · Ctrl+Q quit",
                  "ru": "↑↓ выбор урока · Enter открыть · ? клавиши · Ctrl+P команды · Ctrl+Q выход"},
    "broken": {"en": "unavailable: run `nntutor check`", "ru": "недоступен: запустите `nntutor check`"},
    "steps_done": {"en": "{0}/{1} steps", "ru": "шагов: {0}/{1}"},
    "step_of": {"en": "step {0} of {1}", "ru": "шаг {0} из {1}"},
    "done_title": {"en": "complete", "ru": "пройден"},
    "answer_placeholder": {"en": "your answer, then Enter  (F1 or ? for a hint)",
                           "ru": "ваш ответ и Enter  (F1 или ? — подсказка)"},
    "hint": {"en": "Hint {0}/{1}", "ru": "Подсказка {0}/{1}"},
    "no_more_hints": {"en": "No more hints: the last one gave the value.",
                      "ru": "Подсказок больше нет: последняя дала значение."},
    "complete": {"en": "Lesson complete! Esc: back to the lessons · Ctrl+R: start over",
                 "ru": "Урок пройден! Esc — к списку уроков · Ctrl+R — начать заново"},
    "restarted": {"en": "Started over.", "ru": "Начали заново."},
    "too_small": {"en": "The terminal is {w}×{h}; nntutor needs at least {mw}×{mh}. Enlarge the window.",
                  "ru": "Терминал {w}×{h}; nntutor нужно не меньше {mw}×{mh}. Увеличьте окно."},
    "expect": {"en": "answer: {0}, e.g. {1}", "ru": "ответ: {0}, например {1}"},
    "expect_plain": {"en": "answer: {0}", "ru": "ответ: {0}"},
    "answer_too_long": {"en": "An answer holds at most {0} characters: the rest was not typed.",
                        "ru": "Ответ — не больше {0} символов: остальное не вошло."},
    "hint_key": {"en": "Hint", "ru": "Подсказка"},
    "back_key": {"en": "Lessons", "ru": "Уроки"},
    "lang_key": {"en": "Русский", "ru": "English"},
    "restart_key": {"en": "Start over", "ru": "Заново"},
    "plot_key": {"en": "Plot", "ru": "График"},
    "plot_later": {"en": "The loss curve fills in as you answer the losses of the steps.",
                   "ru": "Кривая потерь появится по мере того, как вы найдёте потери на шагах."},
    "no_plot": {"en": "This lesson has nothing to plot.", "ru": "В этом уроке нечего показать на графике."},
    "quit_key": {"en": "Quit", "ru": "Выход"},
    # Textual's own footer entry for Ctrl+P (its description is "palette")
    "palette_key": {"en": "palette", "ru": "команды"},
    "keys_key": {"en": "Keys", "ru": "Клавиши"},
    # plain mode (nntutor --plain): a line dialogue
    "plain_intro": {"en": "Type an answer and press Enter; '?' for a hint, 'quit' to stop.",
                    "ru": "Введите ответ и нажмите Enter; '?' — подсказка, 'quit' — выход."},
    "plain_stopped": {"en": "Stopped at step {0} of {1}; progress is saved.",
                      "ru": "Остановились на шаге {0} из {1}; прогресс сохранён."},
    "plain_stopped_unsaved": {"en": "Stopped at step {0} of {1}; this session's progress could not be saved.",
                              "ru": "Остановились на шаге {0} из {1}; прогресс этого занятия сохранить не удалось."},
    "plain_summary": {"en": "{0} of {1} steps done; wrong answers: {2}; hints: {3}.",
                      "ru": "Сделано шагов: {0} из {1}; неверных ответов: {2}; подсказок: {3}."},
    "plain_too_long": {"en": "That line is too long (more than {0} characters); it was not checked.",
                       "ru": "Строка слишком длинная (больше {0} символов); она не проверялась."},
    "plain_already_done": {"en": "You have finished this lesson already: every step is done.",
                           "ru": "Этот урок уже пройден: все шаги сделаны."},
    "plain_start_over": {"en": "Start over? [y/N] ", "ru": "Начать заново? [y/N] "},
    "plain_choose": {"en": "Lesson (a number or an id; 'quit' to stop): ",
                     "ru": "Урок (номер или id; 'quit' — выход): "},
    "plain_no_such": {"en": "No lesson {0!r}: type a number from 1 to {1} or a lesson id.",
                      "ru": "Нет урока {0!r}: введите номер от 1 до {1} или id урока."},
    "plain_broken": {"en": "The lesson {0!r} cannot be opened: run `nntutor check {0}`.",
                     "ru": "Урок {0!r} не открывается: запустите `nntutor check {0}`."},
    "plain_steps": {"en": "{0} steps", "ru": "шагов: {0}"},
}


def t(key: str, lang: str, *args, **kwargs) -> str:
    table = STRINGS[key]
    return table.get(lang, table["en"]).format(*args, **kwargs)
