#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ (run once; the files are committed, runs only read them).
Images and PDFs are made here from first principles (zlib, struct; JPEG through libturbojpeg with ctypes),
RPPS/FINESS seeds are cut from tests/fixtures/directory."""
import ctypes, ctypes.util, os, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
C = os.path.join(HERE, "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(C, target), exist_ok=True)
    with open(os.path.join(C, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# 1. JSON bodies of the API.
bodies = {
    "login": '{"email":"ghislain.martin@exemple.fr","password":"Mot-de-passe-Essai-2024"}',
    "totp": '{"code":"123456"}',
    "reset": '{"token":"inconnu","password":"Mot-de-passe-Essai-2024"}',
    "signup": '{"email":"Helene.Lefevre@Exemple.fr","first_name":"Hélène","last_name":"LEFÈVRE","phone":"03 26 00 00 00",'
              '"structure_proposal":{"name":"Cabinet du Palais","commune":"Épernay","postal_code":"51200"}}',
    "patient": '{"birth_name":"N\'DIAYE","birth_first_names":"Aïssatou Marie","birth_date":"1948-03-02","used_name":null,'
               '"birthplace_code":"51454","address":"3 rue de Vesle, 51100 Reims","phone":"+33 6 12 34 56 78"}',
    "patch": '{"phone":"05 55 00 00 01"}',
    "notebook": '{"kind":"transmission","visibility":"circle","body":"Pansement refait, cicatrisation correcte.\\nÀ revoir jeudi.",'
                '"vitals":{"systolic":132,"diastolic":81,"pulse":72},"attachments":["0191c7c2-3b1e-7c3a-9d2e-1f0a2b3c4d5e"]}',
    "alert": '{"severity":"high","reason":"Chute à domicile","contact":{"name":"Mme Dubois","phone":"0326000000"}}',
    "structure": '{"name":"Association Vivre chez soi en Champagne","category_label":"Association","commune":"Reims",'
                 '"postal_code":"51100","phone":"0326000000"}',
    "nfd_escapes": '{"first_name":"He\\u0301le\\u0300ne","last_name":"  Cœurderoy  ","email":"a@b.fr","x":[1,2.5e3,true,false,null]}',
    "nested": '{"a":{"b":{"c":{"d":{"e":"f"}}}},"area":{"label":"Marne"}}',
    "empty": '{}',
}
for k, v in bodies.items():
    put("json_input", k + ".json", v)


# 2. Uploads: tiny valid PDF, PNGs, JPEGs, text, refused kinds.
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, color_type, bit_depth, rows, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


put("upload", "rgba_2x2.png", png(2, 2, 6, 8, b"\0" + b"\xff\0\0\xff\0\xff\0\x80" + b"\0" + b"\0\0\xff\xff\xff\xff\xff\0"))
put("upload", "gray_3x1.png", png(3, 1, 0, 8, b"\0\x00\x80\xff"))
put("upload", "palette_2x1.png", png(2, 1, 3, 8, b"\0\x00\x01", chunk(b"PLTE", b"\xff\0\0\0\0\xff") + chunk(b"tRNS", b"\xff\x80")))
put("upload", "rgb16_1x1.png", png(1, 1, 2, 16, b"\0" + b"\x12\x34\x56\x78\x9a\xbc"))
put("upload", "interlaced_2x2.png", png(2, 2, 0, 8, b"\0\x10" + b"\0\x20" + b"\0\x30\x40", interlace=1))


def pdf(objects):
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def stream(data, compress):
    body = zlib.compress(data) if compress else data
    filt = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(body), filt) + body + b"\nendstream"


page = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"]
text = b"BT /F1 12 Tf 20 50 Td (Compte rendu) Tj ET"
font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
put("upload", "tiny.pdf", pdf(page + [stream(text, False), font]))
put("upload", "flate.pdf", pdf(page + [stream(text, True), font]))
put("upload", "script_in_objstm.pdf",
    pdf(page + [stream(text, True), font, stream(b"<< /S /JavaScript /JS (app.alert(1)) >>", True)]))
put("upload", "openaction_js.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>"] + page[1:]
                                       + [stream(text, False), font]))
put("upload", "note.txt", "Compte rendu de visite du 3 mars : tension 13/8, pas de douleur.\nÀ revoir dans 15 jours.\n")
put("upload", "data.csv", "date;poids\n2024-03-01;71,5\n2024-03-08;71,2\n")
put("upload", "page.html", "<!doctype html><script>alert(1)</script>")
put("upload", "image.svg", '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
put("upload", "archive.zip", b"PK\x03\x04\x14\0\0\0\0\0" + b"\0" * 20)
put("upload", "program.exe", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff")

tj = ctypes.CDLL(ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0")
tj.tjInitCompress.restype = ctypes.c_void_p
tj.tjCompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                           ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ulong), ctypes.c_int, ctypes.c_int,
                           ctypes.c_int]
tj.tjFree.argtypes = [ctypes.c_void_p]


def jpeg(width, height, pixels, pf, subsamp, quality, flags=0):
    h = tj.tjInitCompress()
    buf, size = ctypes.c_void_p(), ctypes.c_ulong()
    assert tj.tjCompress2(h, pixels, width, 0, height, pf, ctypes.byref(buf), ctypes.byref(size), subsamp, quality, flags) == 0
    data = ctypes.string_at(buf, size.value)
    tj.tjFree(buf)
    return data


TJPF_RGB, TJPF_GRAY = 0, 6
TJSAMP_444, TJSAMP_420, TJSAMP_GRAY = 0, 2, 3
TJFLAG_PROGRESSIVE = 16384
rgb = bytes((x * 40 % 256, y * 60 % 256, (x + y) * 20 % 256) [i] for y in range(6) for x in range(8) for i in range(3))
put("upload", "rgb_8x6.jpg", jpeg(8, 6, rgb, TJPF_RGB, TJSAMP_420, 75))
put("upload", "rgb_8x6_444_progressive.jpg", jpeg(8, 6, rgb, TJPF_RGB, TJSAMP_444, 90, TJFLAG_PROGRESSIVE))
put("upload", "gray_4x4.jpg", jpeg(4, 4, bytes(range(0, 256, 16)), TJPF_GRAY, TJSAMP_GRAY, 50))

# 3. RPPS / FINESS files: header plus a few lines of the fixtures, as they are (encodings and line ends kept).
fx = os.path.join(ROOT, "tests", "fixtures", "directory")


def lines(name, n):
    with open(os.path.join(fx, name), "rb") as f:
        return b"".join(f.readlines()[:n])


put("line_reader", "rpps.txt", lines("rpps.txt", 4))
put("line_reader", "rpps_mixed_encoding.txt", lines("rpps_mixed_encoding.txt", 5))
put("line_reader", "rpps_truncated.txt", lines("rpps_truncated.txt", 7)[:-40])
put("line_reader", "finess.csv", lines("finess.csv", 4))
put("line_reader", "finess_utf8_lf.csv", lines("finess_utf8_lf.csv", 3))
put("line_reader", "rpps_wrong_separator.txt", lines("rpps_wrong_separator.txt", 2))
# Its first byte sets the small buffer of the second reading (1 + byte % 32): 0x01 → 2 bytes, CRLF split at a refill.
put("line_reader", "crlf_edge.txt", b"\x01a|b\r\nc|\xe9\r\n\r\nlast")
put("line_reader", "long_line.txt", b"x|" * 300 + b"\r\n" + b"\xe9" * 70)

# 4. Requests as the server hands them to routes.
reqs = {
    "get_cookie": "GET /api/v1/patients?q=du%20pont&status=active\ncookie: cordee_session=Q2xlZi1kZS1zZXNzaW9uLWZhY3RpY2UtNDMtY2FyYWN0; cordee_csrf=abc123\n",
    "bearer_patch": "PATCH /api/v1/patients/0191c7c2-3b1e-7c3a-9d2e-1f0a2b3c4d5e\nauthorization: Bearer Q2xlZi1kZS1zZXNzaW9u\n"
                    "if-match: \"3\"\ncontent-type: application/json\nx-request-id: req-42_a\n\n{\"phone\":\"05 55 00 00 01\"}",
    "post_idempotent": "POST /api/v1/patients/0191c7c2-3b1e-7c3a-9d2e-1f0a2b3c4d5e/notebook\ncookie: theme=dark; cordee_session=abc; cordee_csrf=def\n"
                       "x-csrf-token: def\nidempotency-key: 7d1f0c1e-7a54-4a53-9f8e-2c1b0a9d8e7f\ncontent-type: application/json; charset=utf-8\n\n"
                       "{\"kind\":\"transmission\",\"visibility\":\"circle\",\"body\":\"Pansement refait.\"}",
    "upload": "POST /api/v1/patients/x/attachments?name=compte%20rendu.pdf\ncontent-type: application/pdf\n\n%PDF-1.4\n",
    "logout": "DELETE /api/v1/sessions/current\ncookie: cordee_csrf=; cordee_session=\n",
    "bad_target": "GET /api/v1/patients?q=%zz\n",
    "encoded_path": "HEAD /api/v1/patients/%30%31%39%31?a=1&a=2&b&=c\ncookie: =x; cordee_session\nif-match: W/\"-1\"\n",
    "wrong_method": "PUT /api/v1/patients\n",
}
for k, v in reqs.items():
    put("http_headers", k + ".txt", v)
