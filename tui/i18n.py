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
    "checking": {"en": "Checking…", "ru": "Проверяю…"},
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
}


def t(key: str, lang: str, *args, **kwargs) -> str:
    table = STRINGS[key]
    return table.get(lang, table["en"]).format(*args, **kwargs)
