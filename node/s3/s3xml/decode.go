package s3xml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// Body size limits. Documents are small, except the two that list up to
// 1000 keys or 10000 parts: those are sized for their worst case (keys of
// 1024 bytes, every byte escaped; parts carrying every checksum).
const (
	MaxBodySize     = 1 << 20
	MaxDeleteSize   = 8 << 20
	MaxCompleteSize = 8 << 20
)

// malformedMessage is S3's wording for a body it cannot read.
const malformedMessage = "The XML you provided was not well-formed or did not validate against our published schema"

// Malformed reports a body that is not the expected document; detail says
// what is wrong with it.
func Malformed(detail string) *s3err.Error {
	return s3err.New(s3err.MalformedXML, "%s (%s)", malformedMessage, detail)
}

// Decode reads the request document in body into v, a pointer to a struct
// with xml tags. The root element's namespace is not checked: clients send
// S3's or none. The body must hold exactly one element, besides the XML
// declaration, comments and blanks; DTDs are refused. Elements v does not
// name are ignored, as encoding/xml does. Every failure is an *s3err.Error.
func Decode(body []byte, limit int, v any) error {
	if len(body) > limit {
		return s3err.New(s3err.EntityTooLarge, "the request body is larger than %d bytes, the most this request accepts", limit)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	root, err := rootElement(d)
	if err != nil {
		return Malformed(err.Error())
	}
	// Types that are also answers declare S3's namespace so that they
	// marshal with it; encoding/xml would then refuse a root without it.
	root.Name.Space = Namespace
	if err := d.DecodeElement(v, &root); err != nil {
		return Malformed(err.Error())
	}
	if err := expectEnd(d); err != nil {
		return Malformed(err.Error())
	}
	return nil
}

// rootElement skips the prologue and returns the document's first element.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, errors.New("the body holds no XML element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if start, ok := tok.(xml.StartElement); ok {
			return start, nil
		}
		if err := checkMisc(tok); err != nil {
			return xml.StartElement{}, err
		}
	}
}

// expectEnd checks that nothing but blanks, comments and processing
// instructions follow the root element.
func expectEnd(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.StartElement); ok {
			return errors.New("more than one root element")
		}
		if err := checkMisc(tok); err != nil {
			return err
		}
	}
}

// checkMisc accepts the tokens allowed outside the root element.
func checkMisc(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.CharData:
		if strings.TrimSpace(string(t)) != "" {
			return errors.New("text outside the root element")
		}
	case xml.Directive:
		return errors.New("document type declarations are not accepted")
	}
	return nil
}
