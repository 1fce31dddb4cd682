//! The vouchers' Excel export (`GET …/vouchers?format=xlsx`): the CSV's columns in a workbook,
//! with days as numbers and dates as dates, so a spreadsheet sorts and filters them as such.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use saps_core::voucher::{EXPORT_COLUMNS, ExportRow};

/// The media type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook of `rows`: one sheet, a bold header, frozen below it, columns fitted.
pub fn vouchers_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Vouchers")?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (col, name) in (0u16..).zip(EXPORT_COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    for (row, voucher) in (1u32..).zip(rows) {
        sheet.write_string(row, 0, &voucher.voucher_number)?;
        sheet.write_string(row, 1, &voucher.program_id)?;
        sheet.write_number(row, 2, voucher.days)?;
        sheet.write_string(row, 3, &voucher.customer_name)?;
        sheet.write_string(row, 4, &voucher.admin_email)?;
        sheet.write_string(row, 5, voucher.state)?;
        write_date(sheet, row, 6, Some(voucher.created_on), &date)?;
        write_date(sheet, row, 7, Some(voucher.expires_on), &date)?;
        write_date(sheet, row, 8, voucher.engagement_start, &date)?;
        write_date(sheet, row, 9, voucher.engagement_end, &date)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

fn write_date(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    day: Option<NaiveDate>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(day) = day {
        sheet.write_date_with_format(row, col, day, format)?;
    }
    Ok(())
}
