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
