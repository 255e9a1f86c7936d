// cordee: one binary, several commands (see src/app/commands.cpp).
#include "app/app.hpp"

int main(int argc, char** argv) {
    return cordee::app::RunCommand(std::vector<std::string>(argv + 1, argv + argc));
}
