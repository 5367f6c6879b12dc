# The `llm` wrapper for fish (README: Using it every day); the same behaviour as
# wrapper.sh for bash and zsh. Sourced at shell start by the line
# `llm-memory shell-init fish` prints, after its settings (see wrapper.sh) and the
# switch words as lists (__llm_memory_true, __llm_memory_false, from words.sh).
# Checked with `fish --no-execute`.

# One fork: setsid -f detaches the update into its own session, so no job-control line is
# printed and closing the terminal does not stop it.
if command -sq setsid
    function __llm_memory_start_update
        command setsid -f $__llm_memory_bin update --detached </dev/null >/dev/null 2>&1
    end
else
    function __llm_memory_start_update
        command nohup $__llm_memory_bin update --detached </dev/null >/dev/null 2>&1 &
        disown 2>/dev/null
    end
end

function __llm_memory_dir
    if set -q LLM_MEMORY_DIR; and test -n "$LLM_MEMORY_DIR"
        echo $LLM_MEMORY_DIR
    else if set -q LLM_USER_PATH; and test -n "$LLM_USER_PATH"
        echo $LLM_USER_PATH/memory
    else
        echo $__llm_memory_user_dir/memory
    end
end

# Whether $argv[1] is one of llm's commands (core or plugin), from the cache llm-memory
# keeps; renewed when llm or its plugins changed since.
function __llm_memory_is_command
    set -l cache (__llm_memory_dir)/llm-commands
    set -l line
    if not test -s $cache; or test $__llm_memory_llm -nt $cache; or test $__llm_memory_site -nt $cache
        set line ($__llm_memory_bin llm-commands --refresh 2>/dev/null)
    else
        read line <$cache
    end
    contains -- $argv[1] (string split ' ' -- "$line")
end

# See wrapper.sh: a notice said once, on stderr.
function __llm_memory_notice
    command mv -f -- $argv[1]/notice $argv[1]/notice.$fish_pid 2>/dev/null; or return 0
    command cat -- $argv[1]/notice.$fish_pid >&2
    command rm -f -- $argv[1]/notice.$fish_pid
end

function llm --wraps llm --description 'llm, with llm-user-memory'
    if not test -x $__llm_memory_bin
        if not set -q __llm_memory_warned
            set -g __llm_memory_warned 1
            printf 'llm-memory: %s is gone; llm runs without memory\n' $__llm_memory_bin >&2
        end
        command llm $argv
        return $status
    end
    set -l sub prompt
    switch "$argv[1]"
        case memory
            set -e argv[1]
            $__llm_memory_bin $argv
            return $status
        case prompt chat
            set sub $argv[1]
            set -e argv[1]
        case --help -h --version
            command llm $argv
            return $status
        case '-*'
        case '*'
            if test (count $argv) -eq 0; or __llm_memory_is_command $argv[1]
                command llm $argv
                return $status
            end
    end
    # `--save NAME` writes a template instead of running a prompt: keep the profile out of it.
    for arg in $argv
        switch $arg
            case --
                break
            case --save '--save=*'
                command llm $sub $argv
                return $status
        end
    end
    # Off the record: see wrapper.sh.
    if contains -- "$LLM_MEMORY_DISABLED" $__llm_memory_true
        if test -r $__llm_memory_share/off-record.md
            command llm $sub --sf $__llm_memory_share/off-record.md $argv
            return $status
        end
        if not set -q __llm_memory_warned_off_record
            set -g __llm_memory_warned_off_record 1
            printf 'llm-memory: %s is missing; LLM_MEMORY_DISABLED calls cannot be kept off the record (llm memory pause can)\n' \
                $__llm_memory_share/off-record.md >&2
        end
        command llm $sub $argv
        return $status
    end
    set -l dir (__llm_memory_dir)
    set -l current 1
    if test $dir/profile.md -nt $dir/fragment.md
        $__llm_memory_bin render 2>/dev/null; or set current ""
    end
    if test -t 2; and test -e $dir/notice
        __llm_memory_notice $dir
    end
    if test -s $dir/fragment.md
        # See wrapper.sh: memory:auto when the plugin can serve it.
        set -l sf $dir/fragment.md
        if test -n "$__llm_memory_plugin"; and not test -e memory:auto; and test -n "$current"
            if not set -q LLM_LOAD_PLUGINS; or contains -- llm-user-memory-plugin (string split , -- $LLM_LOAD_PLUGINS)
                set sf memory:auto
            end
        end
        command llm $sub --sf $sf $argv
    else
        command llm $sub $argv
    end
    set -l llm_status $status
    if not contains -- "$LLM_MEMORY_UPDATES" $__llm_memory_false; and not test -e $dir/paused
        __llm_memory_start_update
    end
    return $llm_status
end
