#!/bin/bash
# man_sync.sh - the manual pages and the code must name the same things.
#
#   man/bogusmx-check.1   every option of milter/check.c (its getopt
#                         string and long options), and none that the
#                         code does not have; every JSON member that
#                         check.c prints
#   man/bogusmx-milter.8  every option of milter/main.c's getopt string,
#                         and none other (when milter/main.c exists)
#   man/bogusmx-ctl.8     every option of milter/ctl.c, and none other
#   man/bogusmx.conf.5    every key of lib/config_parse.c (its CFG_*
#                         lines, the option table) as an ".It Ic key"
#                         item and every section named, and no item for
#                         a key the code does not have
#   every page            each ".Ic word" is a key or section of
#                         lib/config_parse.c
#   etc/bogusmx.conf      every key, set or shown commented out
#
# Options in a page are the ".It Fl x" and ".It Fl -long" items (one
# item may list several: ".It Fl h , Fl -help").
# Usage: man_sync.sh SOURCE_DIR
set -u
top=${1:?usage: man_sync.sh SOURCE_DIR}
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# The option letters of the first getopt()/getopt_long() string in a
# C file, one per line.
code_letters() {
	tr '\n' ' ' <"$1" |
		grep -o 'getopt\(_long\)\?([^;]*' | head -1 |
		grep -o '"[^"]*"' | head -1 | tr -d '":+' | fold -w1 | sort -u
}

# The long options of a struct option table, one per line.
code_longs() {
	tr '\n' ' ' <"$1" |
		grep -o '{ *"[A-Za-z0-9-]*", *\(no\|required\|optional\)_argument' |
		sed 's/{ *"\([^"]*\)".*/\1/' | sort -u
}

# ".It Fl x" / ".It Fl -long" items of a page: letters, or longs.
page_flags() { # page, short|long
	grep '^\.It Fl' "$1" | grep -o 'Fl [^ ]*' | awk '{ print $2 }' |
		if [ "$2" = short ]; then
			grep -x '[A-Za-z0-9]'
		else
			grep '^-' | sed 's/^-//'
		fi | sort -u
}

# Lines of a that are not in b (both sorted).
missing() {
	comm -23 <(printf '%s\n' "$1" | sed '/^$/d') \
		<(printf '%s\n' "$2" | sed '/^$/d')
}

check_options() { # page, C file
	local page=$1 src=$2 x
	local cs cl ps pl
	cs=$(code_letters "$src")
	cl=$(code_longs "$src")
	ps=$(page_flags "$page" short)
	pl=$(page_flags "$page" long)
	if [ -z "$cs" ]; then
		fail "no getopt string found in $src"
		return
	fi
	for x in $(missing "$cs" "$ps"); do
		fail "$page does not document -$x of ${src#"$top"/}"
	done
	for x in $(missing "$ps" "$cs"); do
		fail "$page documents -$x, which ${src#"$top"/} does not have"
	done
	for x in $(missing "$cl" "$pl"); do
		fail "$page does not document --$x of ${src#"$top"/}"
	done
	for x in $(missing "$pl" "$cl"); do
		fail "$page documents --$x, which ${src#"$top"/} does not have"
	done
	echo "checked: options of ${src#"$top"/}:" $cs $cl
}

config=$top/lib/config_parse.c
# Keys: CFG_INT("port", ...), CFG_STR_LIST_CB("tables", ...) ...; the
# CFG_SEC names are sections.
cfg_names() { # the CFG_* macros to take
	tr '\n\t' '  ' <"$config" | grep -o 'CFG_[A-Z_]*( *"[a-z0-9-]*"' |
		grep "$@" | sed 's/.*"\([^"]*\)"/\1/' | sort -u
}
keys=$(cfg_names -v '^CFG_SEC(')
sections=$(cfg_names '^CFG_SEC(')
if [ -z "$keys" ] || [ -z "$sections" ]; then
	fail "no CFG_* keys found in $config"
fi

# bogusmx-check(1)
page=$top/man/bogusmx-check.1
check_options "$page" "$top/milter/check.c"
json=$(grep -o '\\"[a-z_]*\\":' "$top/milter/check.c" | tr -d '\\":' | sort -u)
for x in $json; do
	grep -q "^\.It Cm .*\<$x\>\|^\.Cm $x\>" "$page" ||
		fail "$page does not describe the JSON member \"$x\""
done
echo "checked: JSON members of milter/check.c:" $json

# bogusmx-milter(8)
if [ -f "$top/milter/main.c" ]; then
	check_options "$top/man/bogusmx-milter.8" "$top/milter/main.c"
else
	echo "skip: milter/main.c does not exist yet"
fi

# bogusmx-ctl(8)
check_options "$top/man/bogusmx-ctl.8" "$top/milter/ctl.c"

# bogusmx.conf(5)
page=$top/man/bogusmx.conf.5
items=$(grep '^\.It Ic ' "$page" | awk '{ print $3 }' | sort -u)
for x in $(missing "$keys" "$items"); do
	fail "$page has no \".It Ic $x\" item for the key $x"
done
for x in $(missing "$items" "$keys"); do
	fail "$page documents the key $x, which ${config#"$top"/} does not have"
done
for x in $sections; do
	grep -q "^\.Ic $x\>\|Ic $x\>" "$page" ||
		fail "$page does not name the section $x"
done
echo "checked: keys of ${config#"$top"/}:" $keys
echo "checked: sections of ${config#"$top"/}:" $sections

# .Ic in every page names a real key or section.
for page in "$top"/man/*.[1-9]; do
	for x in $(grep -o '\<Ic [a-z0-9-]*' "$page" | awk '{ print $2 }' |
		sort -u); do
		printf '%s\n' $keys $sections | grep -qx -- "$x" ||
			fail "$page names \"$x\" (Ic), which is no key of ${config#"$top"/}"
	done
done

# The sample configuration shows every key.
sample=$top/etc/bogusmx.conf
for x in $keys; do
	grep -q "^[#[:space:]]*$x[[:space:]]*+\?=" "$sample" ||
		fail "$sample does not show the key $x"
done
for x in $sections; do
	grep -q "^[#[:space:]]*$x[[:space:]]\+\([a-z-]\+[[:space:]]*\)\?{" \
		"$sample" || fail "$sample does not show the section $x"
done
echo "checked: the keys shown in ${sample#"$top"/}"

echo "$fails failure(s)"
[ "$fails" = 0 ]
