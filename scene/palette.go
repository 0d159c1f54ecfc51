package scene

// The palette: a dark background and colours that stay apart on a washed
// out projector and for the common colour-blindnesses (amber, teal, violet
// and red differ in lightness as well as hue).
var (
	ColBackground = hex(0x0a0e17)
	ColPanel      = Color{0.13, 0.16, 0.24, 0.72}
	ColGrid       = Color{1, 1, 1, 0.12}
	ColText       = hex(0xeef1f7)
	ColDim        = hex(0x9aa5bb)
	ColSelected   = hex(0xffffff)
	ColSplit      = hex(0xff7a1f).Alpha(0.8) // suspect's orange: some nodes suspect it
	ColTheory     = hex(0x8ecbff)            // sky blue: apart from the white playhead
	// ColFresh is the glow of a node that has just learnt the news: a white
	// flash, apart in lightness and hue from the news dots' yellow and the
	// informed amber it fades into.
	ColFresh = hex(0xf4f8ff)

	// Packets.
	ColNews      = hex(0xffd23a) // carries news the receiver lacks: gold, apart from the white glow
	ColRedundant = hex(0x8d96a8) // the receiver already knew: drawn hollow
	ColRequest   = hex(0x45c4ff) // a digest or request without the news
	ColLost      = hex(0xff4a4a) // never arrives: fades out half way
	// memberlist's own traffic, live.
	ColProbe  = hex(0x6f86ad) // ping/ack: background chatter, small and faint
	ColMember = hex(0xff6fc8) // alive/suspect/dead news about a member
	ColSync   = hex(0x3ee0d0) // push-pull: full state sync

	classColor = [numClasses]Color{
		Absent:     {},
		Uninformed: hex(0x4d5d82),
		Informed:   hex(0xffaa1d),
		Stopped:    hex(0x19c2a0),
		Suspect:    hex(0xff7a1f),
		Crashed:    hex(0xff3d3d),
		CutOff:     hex(0xb47dff),
		Observer:   hex(0x6b7385),
	}
)

// ClassColor returns the colour nodes of class c are drawn in.
func ClassColor(c Class) Color {
	if c < numClasses {
		return classColor[c]
	}
	return ColDim
}
