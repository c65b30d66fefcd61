# Sourced by up.sh and down.sh: where the services' pid files live and how to tell one of ours is running.
RUN="${RUN:?RUN must be set before sourcing services.sh}"

# The pid of our running service process, if any (the pid file is checked against the process's command line,
# so a recycled pid is not mistaken for the service).
pid_of() {
  local f="$RUN/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    grep -qaF "services/$1/" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
  else
    rm -f "$f"
    return 1
  fi
}
