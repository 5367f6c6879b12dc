# shellcheck shell=sh
# The words that switch an LLM_MEMORY_* setting on or off — one list, read by the
# porcelain (bin/llm-memory sources this file) and by the bash/zsh wrapper (wrapper.sh
# sources it); fish gets the same lists from `llm-memory shell-init fish`. The plugin
# adapter (integrations/) keeps a copy in Python, which a test compares with this one.
__llm_memory_true='1 true TRUE True yes YES on ON'
__llm_memory_false='0 false FALSE False no NO off OFF'

# __llm_memory_in WORD LIST: whether WORD is one of LIST's space-separated words (shell
# builtins only: the wrapper asks on every call).
__llm_memory_in() {
  case $1 in '' | *' '*) return 1 ;; esac
  case " $2 " in *" $1 "*) return 0 ;; esac
  return 1
}

# Whether WORD switches a setting on / off: what the porcelain and the wrapper ask, so no
# file reads the lists above but this one.
__llm_memory_is_true() { __llm_memory_in "${1:-}" "$__llm_memory_true"; }
__llm_memory_is_false() { __llm_memory_in "${1:-}" "$__llm_memory_false"; }

# The lists as fish `set` lines, for `llm-memory shell-init fish` (fish cannot source this).
__llm_memory_fish_words() {
  printf 'set -g __llm_memory_true %s\nset -g __llm_memory_false %s\n' "$__llm_memory_true" "$__llm_memory_false"
}
