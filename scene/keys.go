package scene

import (
	"strconv"
	"strings"

	"github.com/gossipscope/gossipscope/protocol"
)

// keyInfo is what the stream said about a key beyond its versions: the
// comment (a silence's) and where it first appeared, so that a key is
// named the way people know it ("the silence "maintenance" (created on
// n1)") rather than as "sil/2865822a-46c3-...".
type keyInfo struct {
	comment string
	origin  int32   // node that held it first, -1 unknown
	first   float64 // when, ms
	label   string  // cached KeyLabel, once origin is known
	short   string  // cached KeyShort
}

// noteKey records a state event's comment and the key's first holder.
func (l *log) noteKey(k uint16, node int32, t float64, comment string) {
	for int(k) >= len(l.keyInfo) {
		l.keyInfo = append(l.keyInfo, keyInfo{origin: -1})
	}
	ki := &l.keyInfo[k]
	if ki.comment == "" && comment != "" {
		ki.comment = comment
		ki.label, ki.short = "", ""
	}
	if ki.origin < 0 {
		ki.origin, ki.first = node, t
		ki.label = ""
	}
}

// KeyInfo describes a key for people: a select list or a caption.
type KeyInfo struct {
	Key     string  // the raw key, for SetKey
	Label   string  // "the silence "maintenance" (created on n1)"
	Short   string  // "silence "maintenance" · 2865822a"
	Comment string  // the silence's comment, "" if none
	Origin  string  // the node that held it first
	First   float64 // when, ms
	Holders int     // live nodes holding its newest version at the playhead
}

// KeyList returns the keys nodes hold (not the keys of membership messages),
// newest first.
func (p *Player) KeyList() []KeyInfo {
	h := p.head
	var out []KeyInfo
	for k := len(h.hold) - 1; k >= 0; k-- {
		if k >= len(p.log.keys.list) || h.newest[k] == noVersion {
			continue
		}
		ki := KeyInfo{Key: p.log.keys.list[k], Label: p.keyLabel(k), Short: p.keyShort(k), First: -1}
		if k < len(p.log.keyInfo) {
			in := &p.log.keyInfo[k]
			ki.Comment, ki.First = in.comment, in.first
			if in.origin >= 0 {
				ki.Origin = p.log.nodes.list[in.origin]
			}
		}
		if k < len(p.cur.holders) {
			ki.Holders = int(p.cur.holders[k])
		}
		out = append(out, ki)
	}
	return out
}

// KeyLabel names the key on screen for a sentence (see keyLabel).
func (p *Player) KeyLabel() string { return p.keyLabel(p.focus(p.cur)) }

// keyLabel names key k for a sentence: "the news" in a simulation, "the
// silence "maintenance" (created on n1)", "the notification-log entry for
// alert "HighLatency"", or the quoted key when it is none of those.
func (p *Player) keyLabel(k int) string {
	if k < 0 || k >= len(p.log.keys.list) {
		return "the news"
	}
	if p.info.Source == protocol.SourceSim {
		return "the news"
	}
	var in *keyInfo
	if k < len(p.log.keyInfo) {
		in = &p.log.keyInfo[k]
		if in.label != "" {
			return in.label
		}
	}
	key := p.log.keys.list[k]
	origin := ""
	if in != nil && in.origin >= 0 {
		origin = p.log.nodes.list[in.origin]
	}
	var s string
	switch kind, rest := splitKey(key); kind {
	case "sil":
		s = "the silence " + silenceName(rest, in)
		if origin != "" {
			how := "created on "
			if p.info.Source == protocol.SourceAlertmanager {
				how = "first seen on " // polled: the first node the observer saw it on
			}
			s += " (" + how + origin + ")"
		}
	case "nfl":
		s = "the notification-log entry " + nflogName(rest)
	default:
		s = strconv.Quote(key)
	}
	if in != nil && origin != "" {
		in.label = s
	}
	return s
}

// keyShort names key k in a list or a caption: "silence "maintenance" ·
// 2865822a", "nflog: alert "HighLatency"".
func (p *Player) keyShort(k int) string {
	if k < 0 || k >= len(p.log.keys.list) {
		return ""
	}
	var in *keyInfo
	if k < len(p.log.keyInfo) {
		in = &p.log.keyInfo[k]
		if in.short != "" {
			return in.short
		}
	}
	key := p.log.keys.list[k]
	var s string
	switch kind, rest := splitKey(key); kind {
	case "sil":
		s = "silence " + silenceName(rest, in)
		if in != nil && in.comment != "" {
			s += " · " + shortID(rest)
		}
	case "nfl":
		s = "nflog " + nflogName(rest)
	default:
		s = key
	}
	if in != nil {
		in.short = s
	}
	return s
}

// splitKey splits "sil/<id>" into ("sil", "<id>").
func splitKey(key string) (kind, rest string) {
	if i := strings.IndexByte(key, '/'); i > 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}

// silenceName is a silence's comment, quoted, or its short id.
func silenceName(id string, in *keyInfo) string {
	if in != nil && in.comment != "" {
		c := in.comment
		if r := []rune(c); len(r) > 40 {
			c = string(r[:39]) + "…"
		}
		return strconv.Quote(c)
	}
	return shortID(id)
}

// shortID is the first block of a UUID (8 hex digits), as people read them.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// nflogName reads the alert out of a notification-log key
// ("<group key>:<receiver>/<integration>/<idx>", the group key ending in
// the group's labels, e.g. {}:{alertname="HighLatency"}): "for alert
// "HighLatency"", or "for group <labels>" when there is no alertname.
func nflogName(rest string) string {
	const an = `alertname=`
	if i := strings.Index(rest, an); i >= 0 {
		v := rest[i+len(an):]
		if strings.HasPrefix(v, `"`) {
			if j := strings.IndexByte(v[1:], '"'); j >= 0 {
				return "for alert " + strconv.Quote(v[1:1+j])
			}
		}
	}
	g := rest
	if i := strings.LastIndex(g, "}"); i >= 0 {
		g = g[:i+1]
	}
	if r := []rune(g); len(r) > 40 {
		g = string(r[:39]) + "…"
	}
	return "for group " + g
}
