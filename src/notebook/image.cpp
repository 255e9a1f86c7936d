#include "notebook/image.hpp"

#include "common/errors.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <memory>
#include <vector>

namespace cordee::notebook {
namespace {

Error Unreadable(const std::string& why) {
    return Error(Problem::kUnsupportedMediaType, why + " Enregistrez-la à nouveau en PNG ou JPEG.");
}

}  // namespace

DecodeSlots::Slot DecodeSlots::Acquire() {
    if (!free_.try_acquire_for(wait_))
        throw Error(Problem::kServerBusy, "Le serveur traite déjà beaucoup d'images : rien n'a été enregistré. Réessayez "
                                          "dans un moment.")
            .WithHeader("Retry-After", "30");
    return Slot(this);
}

std::string ReencodePng(std::string_view bytes) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
        throw Unreadable("Cette image PNG est endommagée.");
    if (static_cast<long>(image.width) * static_cast<long>(image.height) > kMaxImagePixels) {
        png_image_free(&image);
        throw Unreadable("Cette image est trop grande (40 millions de pixels au plus).");
    }
    image.format = PNG_FORMAT_RGBA;
    std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
        png_image_free(&image);
        throw Unreadable("Cette image PNG est endommagée.");
    }
    // One compression in the usual case: a buffer a little larger than the file received; only when the image
    // comes out larger does libpng say the size it needs, and the second pass writes it.
    png_alloc_size_t size = bytes.size() + (64u << 10);
    std::string out(size, '\0');
    if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr)) {
        if (size <= out.size()) throw Unreadable("Cette image PNG ne peut pas être réenregistrée.");
        out.assign(size, '\0');
        if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr))
            throw Unreadable("Cette image PNG ne peut pas être réenregistrée.");
    }
    out.resize(size);
    return out;
}

std::string ReencodeJpeg(std::string_view bytes) {
    std::unique_ptr<void, int (*)(tjhandle)> dec(tjInitDecompress(), tjDestroy);
    std::unique_ptr<void, int (*)(tjhandle)> enc(tjInitCompress(), tjDestroy);
    if (!dec || !enc) throw std::runtime_error("turbojpeg init failed");
    int width = 0, height = 0, subsamp = 0, colorspace = 0;
    auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
    if (tjDecompressHeader3(dec.get(), src, bytes.size(), &width, &height, &subsamp, &colorspace) != 0)
        throw Unreadable("Cette image JPEG est endommagée.");
    if (width <= 0 || height <= 0 || static_cast<long>(width) * height > kMaxImagePixels)
        throw Unreadable("Cette image est trop grande (40 millions de pixels au plus).");
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 3);
    if (tjDecompress2(dec.get(), src, bytes.size(), pixels.data(), width, 0, height, TJPF_RGB, 0) != 0 &&
        tjGetErrorCode(dec.get()) == TJERR_FATAL)
        throw Unreadable("Cette image JPEG est endommagée.");
    unsigned char* out = nullptr;
    unsigned long size = 0;
    if (tjCompress2(enc.get(), pixels.data(), width, 0, height, TJPF_RGB, &out, &size, TJSAMP_420, 90, 0) != 0)
        throw Unreadable("Cette image JPEG ne peut pas être réenregistrée.");
    std::string result(reinterpret_cast<char*>(out), size);
    tjFree(out);
    return result;
}

}  // namespace cordee::notebook
