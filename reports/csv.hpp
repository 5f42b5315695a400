#pragma once

#include <string>
#include <vector>

namespace rb {

// Quotes one field as RFC 4180 requires: a field that contains a comma, a double quote, CR or
// LF is enclosed in double quotes, and each double quote inside is doubled.
std::string csv_field(const std::string& value);

// Joins fields into one record ended by CRLF, the line break RFC 4180 specifies.
std::string csv_record(const std::vector<std::string>& fields);

// Formats a number for CSV: integers without a fraction, others with up to 6 significant
// decimals after the point, never in exponent form below 1e15.
std::string csv_number(double value);

}  // namespace rb
